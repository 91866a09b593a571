# bash completion for asyncsnip: `source` this file from ~/.bashrc.
#
# asyncsnip answers one line per candidate, "KIND<TAB>VALUE<TAB>DESCRIPTION". The answer is
# data: it is split with parameter expansion, each value is quoted with printf %q, and
# nothing in it is ever evaluated.

# Read an answer on stdin into COMPREPLY (each value quoted so that inserting it on the
# command line gives back exactly that value); _asyncsnip_files=1 asks for file names.
_asyncsnip_decode() {
    local line kind rest quoted
    COMPREPLY=()
    _asyncsnip_files=0
    while IFS= read -r line; do
        kind=${line%%$'\t'*}
        rest=${line#*$'\t'}
        case $kind in
            plain)
                printf -v quoted '%q' "${rest%%$'\t'*}"
                COMPREPLY+=("$quoted")
                ;;
            file) _asyncsnip_files=1 ;;
        esac
    done
}

_asyncsnip_completion() {
    local _asyncsnip_files=0
    _asyncsnip_decode < <(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \
        _ASYNCSNIP_COMPLETE=complete_bash "$1" 2>/dev/null)
    return 0  # no candidates: `-o default` completes file names
}

complete -o default -F _asyncsnip_completion asyncsnip
