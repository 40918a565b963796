# SPDX-License-Identifier: MIT
# bash completion for clawjail: commands, their sub-commands and options,
# profile names (clawjail profile list) and task ids (clawjail task list).

_clawjail_profiles() {
        clawjail profile list 2>/dev/null | awk '{print $1}'
}

_clawjail_tasks() {
        local sd=()
        [ -n "${1:-}" ] && sd=(--state-dir "$1")
        clawjail task list "${sd[@]}" 2>/dev/null | awk 'NR > 1 {print $1}'
}

_clawjail() {
        local cur prev words cword
        _init_completion 2>/dev/null || {
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD-1]}
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
        }
        local commands="run exec check call serve mcp task approve deny approvals checkpoint journal profile doctor audit"
        local common="--profile --task --state-dir --cwd --rw --ro --net --allow-host --timeout --json --status-fd --verbose --quiet --help"
        if [ "$cword" -eq 1 ]; then
                mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
                return
        fi
        local cmd=${words[1]} state_dir="" i
        for ((i = 2; i < cword; i++)); do
                [ "${words[i]}" = --state-dir ] && state_dir=${words[i+1]}
        done
        case $prev in
        --profile | --allow-profile)
                mapfile -t COMPREPLY < <(compgen -W "$(_clawjail_profiles)" -- "$cur")
                compopt -o filenames 2>/dev/null
                return ;;
        --task)
                mapfile -t COMPREPLY < <(compgen -W "$(_clawjail_tasks "$state_dir")" -- "$cur")
                return ;;
        --state-dir | --cwd | --rw | --ro | -o)
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return ;;
        --net)
                mapfile -t COMPREPLY < <(compgen -W "none loopback proxy host" -- "$cur")
                return ;;
        --format)
                mapfile -t COMPREPLY < <(compgen -W "pfc bpf rules md html json" -- "$cur")
                return ;;
        --pty-size)
                mapfile -t COMPREPLY < <(compgen -W "80x24 120x40" -- "$cur")
                return ;;
        --timeout | --status-fd | -c | --ttl | --reason | --max-concurrent | --tokens | --cost-usd)
                return ;;
        esac
        local subs="" opts=$common
        case $cmd in
        task) subs="list status create set-budget charge stop resume delete prune" ;;
        checkpoint) subs="save load list" ;;
        journal) subs="show verify head" ;;
        profile) subs="list show lint seccomp" ;;
        exec) opts="$common -c --allow-host --pty --pty-size" ;;
        check) opts="$common -c --allow-host" ;;
        serve) opts="$common --stdio --allow-profile --max-concurrent" ;;
        mcp) opts="$common --no-elicitation" ;;
        approve) opts="--once --for-task --ttl --state-dir --help" ;;
        deny) opts="--reason --state-dir --help" ;;
        approvals) opts="--all --json --state-dir --help" ;;
        doctor) opts="--json --profile --state-dir --help" ;;
        audit) opts="--since --format -o --state-dir --help" ;;
        esac
        if [ -n "$subs" ] && [ "$cword" -eq 2 ]; then
                mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
                return
        fi
        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
                return
        fi
        case $cmd in
        task | checkpoint | journal | approve | deny | approvals | audit)
                mapfile -t COMPREPLY < <(compgen -W "$(_clawjail_tasks "$state_dir")" -- "$cur") ;;
        profile)
                mapfile -t COMPREPLY < <(compgen -W "$(_clawjail_profiles)" -- "$cur") ;;
        run)
                mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
        esac
}
complete -F _clawjail clawjail
