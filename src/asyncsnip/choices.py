"""The closed sets of option values, shared by the command line, completion and the parts
that act on them. No imports: completion reads these on every TAB press."""

VIEWS = ("standard", "detailed", "compact", "code")
FORMATS = ("markdown", "text", "json", "toml", "html")
COLORS = ("auto", "always", "never")
SHELLS = ("bash", "zsh", "fish")
