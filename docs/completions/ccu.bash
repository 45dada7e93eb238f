# bash completion for ccu (installed to share/bash-completion/completions/ccu)
_ccu() {
    local cur prev words cword
    _init_completion 2>/dev/null || { cur="${COMP_WORDS[COMP_CWORD]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
    local globals="--json -q --quiet -v --verbose --help --version"
    local cmd="" sub="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
        esac
    done
    local list=""
    case "$cmd" in
        "") list="scan report gist" ;;
        report) [[ -z $sub ]] && list="daily monthly session models" ||
                list="--since --until --tz --machine --all-machines" ;;
        gist)
            case "$sub" in
                "") list="setup set-token push pull sync auto-sync backup status info repair" ;;
                setup) list="--gist-id --create --machine-name --yes" ;;
                set-token) list="--store --delete --no-check" ;;
                push) list="--force --dry-run" ;;
                sync) list="--force" ;;
                auto-sync) list="on off run --interval --mode --scheduler --max-wait" ;;
                backup) list="create list restore --machine --to --force" ;;
            esac ;;
    esac
    case "$prev" in
        --store) list="keyring file" ;;
        --mode) list="sync push" ;;
        --scheduler) list="auto systemd cron" ;;
        --interval) list="15m 30m 1h 2h 6h" ;;
    esac
    COMPREPLY=($(compgen -W "$list $globals" -- "$cur"))
}
complete -F _ccu ccu
