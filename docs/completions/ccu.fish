# fish completion for ccu (installed to share/fish/vendor_completions.d/ccu.fish)
complete -c ccu -f
complete -c ccu -l json -d 'One JSON document on stdout'
complete -c ccu -s q -l quiet -d 'Only warnings and errors'
complete -c ccu -s v -l verbose -d 'More detail on stderr'
complete -c ccu -l version -d 'Print the version'
complete -c ccu -n __fish_use_subcommand -a scan -d 'Read new usage into the store'
complete -c ccu -n __fish_use_subcommand -a report -d 'Usage reports'
complete -c ccu -n __fish_use_subcommand -a gist -d 'Sync through a private gist'
complete -c ccu -n '__fish_seen_subcommand_from report; and not __fish_seen_subcommand_from daily monthly session models' -a 'daily monthly session models'
complete -c ccu -n '__fish_seen_subcommand_from report' -l since -l until -l tz -l machine -l all-machines
set -l gist_cmds setup set-token push pull sync auto-sync backup status info repair
complete -c ccu -n "__fish_seen_subcommand_from gist; and not __fish_seen_subcommand_from $gist_cmds" -a "$gist_cmds"
complete -c ccu -n '__fish_seen_subcommand_from auto-sync; and not __fish_seen_subcommand_from on off run' -a 'on off run'
complete -c ccu -n '__fish_seen_subcommand_from auto-sync' -l interval -l mode -l scheduler -l max-wait -r
complete -c ccu -n '__fish_seen_subcommand_from backup; and not __fish_seen_subcommand_from create list restore' -a 'create list restore'
complete -c ccu -n '__fish_seen_subcommand_from setup' -l gist-id -l create -l machine-name -l yes
complete -c ccu -n '__fish_seen_subcommand_from set-token' -l store -a 'keyring file' -l delete -l no-check
