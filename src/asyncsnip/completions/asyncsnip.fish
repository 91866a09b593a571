# fish completion for asyncsnip: copy this file to ~/.config/fish/completions/.
#
# asyncsnip answers one line per candidate, "KIND<TAB>VALUE<TAB>DESCRIPTION". The answer is
# data: it is split with `string split` and printed back as fish's `complete` reads it
# ("VALUE<TAB>DESCRIPTION"); fish escapes each value as it inserts it, and nothing is
# evaluated.

# Print the answer's records (the arguments after WORD) for fish; WORD is the word being
# completed, for when asyncsnip asks for file names. fish escapes every character of a value
# it inserts but a leading `~`, which it would then expand: such a value is left out.
function __asyncsnip_decode --argument-names word
    for record in $argv[2..-1]
        set -l parts (string split -m 2 \t -- $record)
        switch $parts[1]
            case plain
                if string match -q -- '~*' $parts[2]
                    continue
                else if test -n "$parts[3]"
                    printf '%s\t%s\n' $parts[2] $parts[3]
                else
                    printf '%s\n' $parts[2]
                end
            case file
                __fish_complete_path "$word"
        end
    end
end

function __asyncsnip_complete
    set -l line (commandline -cp | string collect)
    set -l word (commandline -ct | string collect)
    set -l records (env COMP_WORDS="$line" COMP_CWORD="$word" _ASYNCSNIP_COMPLETE=complete_fish asyncsnip 2>/dev/null)
    if test (count $records) -eq 0
        __fish_complete_path "$word"
    else
        __asyncsnip_decode "$word" $records
    end
end

complete --command asyncsnip --no-files --keep-order --arguments '(__asyncsnip_complete)'
