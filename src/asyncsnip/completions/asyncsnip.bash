# bash completion for asyncsnip: `source` this file from ~/.bashrc.
#
# asyncsnip answers one line per candidate, "KIND<TAB>VALUE<TAB>DESCRIPTION"; the values are
# data, quoted here with printf %q so that inserting one can never run anything.
_asyncsnip_completion() {
    local line kind rest value quoted
    COMPREPLY=()
    while IFS= read -r line; do
        kind=${line%%$'\t'*}
        rest=${line#*$'\t'}
        value=${rest%%$'\t'*}
        if [[ $kind == plain ]]; then
            printf -v quoted '%q' "$value"
            COMPREPLY+=("$quoted")
        fi
    done < <(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \
        _ASYNCSNIP_COMPLETE=complete_bash "$1" 2>/dev/null)
    return 0
}

complete -o default -F _asyncsnip_completion asyncsnip
