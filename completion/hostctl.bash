# bash completion for hostctl: the command names come from hostctl itself.
_hostctl() {
    local cur words=("${COMP_WORDS[@]:1:COMP_CWORD-1}") cmds
    cur=${COMP_WORDS[COMP_CWORD]}
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--help --json --verbose --debug --version" -- "$cur"))
        return
    fi
    # the "Commands:" section of `hostctl WORDS... --help`
    cmds=$(hostctl "${words[@]}" --help 2>/dev/null | awk '/^Commands:/{on=1;next} on&&/^  [a-z]/{print $1} on&&/^$/{on=0}')
    COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
}
complete -F _hostctl hostctl
