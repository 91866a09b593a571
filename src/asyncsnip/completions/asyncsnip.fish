# fish completion for asyncsnip: copy this file to ~/.config/fish/completions/.
#
# asyncsnip answers one line per candidate, "KIND<TAB>VALUE<TAB>DESCRIPTION"; the lines are
# data, split here with `string split` and printed back for fish, which escapes them.
function __asyncsnip_complete
    set -l line (commandline -cp | string collect)
    set -l word (commandline -ct | string collect)
    set -l records (env COMP_WORDS="$line" COMP_CWORD="$word" _ASYNCSNIP_COMPLETE=complete_fish asyncsnip 2>/dev/null)
    if test (count $records) -eq 0
        __fish_complete_path $word
    end
    for record in $records
        set -l parts (string split -m 2 \t -- $record)
        switch $parts[1]
            case plain
                if test -n "$parts[3]"
                    printf '%s\t%s\n' $parts[2] $parts[3]
                else
                    printf '%s\n' $parts[2]
                end
            case file
                __fish_complete_path $word
        end
    end
end

complete --command asyncsnip --no-files --arguments '(__asyncsnip_complete)'
