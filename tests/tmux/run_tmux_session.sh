#!/bin/sh
# A new user's first session in a real terminal (tmux), against the fake Gist server:
# setup (prompts for the token: no keyring here), scan, push, pull, status, auto-sync on/off
# (cron, then systemd), and the progress lines of a slow push and a slow pull.
# usage: run_tmux_session.sh CCU FAKE_SERVER_PY [SCREENS_DIR]
set -eu
ccu=$1 server=$2 screens=${3:-}
tmp=$(mktemp -d)
sock="ccu-test-$$"
token="ghp_TmuxSessionTokenZ9Q8W7E6R5T4Y3U2I1O0P"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    [ -n "${fake:-}" ] && kill "$fake" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

python3 -S "$server" --port-file "$tmp/port" &
fake=$!
i=0
while [ ! -s "$tmp/port" ]; do i=$((i + 1)); [ $i -gt 100 ] && { echo "fake server did not start" >&2; exit 1; }; sleep 0.1; done
api=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_port"])' "$tmp/port")
python3 - "$api" "$token" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/_fake/tokens", method="POST",
                             data=json.dumps({"token": sys.argv[2], "login": "alice"}).encode())
urllib.request.urlopen(req).read()
PY

fake_control() {  # fake_control PATH JSON: a control request to the fake server
    python3 - "$api" "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", method="POST", data=sys.argv[3].encode())
urllib.request.urlopen(req).read()
PY
}

mkdir -p "$tmp/bin" "$tmp/home/.claude/projects/-home-me-proj"
cat > "$tmp/bin/crontab" <<'SH'
#!/bin/sh
case "$1" in
  -l) cat "$FAKE_DIR/crontab" 2>/dev/null || { echo "no crontab for me" >&2; exit 1; } ;;
  -) cat > "$FAKE_DIR/crontab" ;;
esac
SH
chmod +x "$tmp/bin/crontab"
ln -s "$ccu" "$tmp/bin/ccu"
printf '%s\n' '{"type":"assistant","sessionId":"s-1","uuid":"u-1","timestamp":"2026-11-30T10:00:00.000Z","cwd":"/home/me/proj","version":"1.0.0","requestId":"req-1","message":{"id":"msg-1","model":"claude-sonnet-4-20250514","usage":{"input_tokens":1200,"output_tokens":340,"cache_creation_input_tokens":0,"cache_read_input_tokens":5000}}}' \
    > "$tmp/home/.claude/projects/-home-me-proj/session-1.jsonl"
printf 'MAILTO=me@example.org\n15 3 * * * /usr/bin/backup --all\n' > "$tmp/crontab"

tmux -L "$sock" new-session -d -x 150 -y 50 -s ccu \
    env -i HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/cfg" CCU_DATA_DIR="$tmp/data" FAKE_DIR="$tmp" \
    CCU_GITHUB_API_URL="http://127.0.0.1:$api" PATH="$tmp/bin:/usr/bin:/bin" TERM=xterm-256color \
    LANG=C.UTF-8 PS1='$ ' sh

screen() { tmux -L "$sock" capture-pane -p -t ccu; }
# A marker is echoed as NAME-$m (m=DONE in the session's shell) so that the typed command
# line, shown on the screen, never shows the text being waited for.
wait_for() {  # wait_for TEXT: until the screen shows it (10 s)
    n=0
    until screen | grep -qF -- "$1"; do
        n=$((n + 1))
        if [ $n -gt 100 ]; then echo "timed out waiting for: $1" >&2; screen >&2; exit 1; fi
        sleep 0.1
    done
}
expect_screen() {  # expect_screen TEXT: the screen shows it now, else say what it shows
    screen | grep -qF -- "$1" && return 0
    echo "expected on the screen: $1" >&2; screen >&2; exit 1
}
type_line() { tmux -L "$sock" send-keys -t ccu -l "$1"; tmux -L "$sock" send-keys -t ccu Enter; }
save() { [ -n "$screens" ] && { mkdir -p "$screens"; screen > "$screens/$1.txt"; }; tmux -L "$sock" clear-history -t ccu; }

wait_for '$'
type_line 'm=DONE'
type_line 'ccu gist setup --machine-name laptop'
wait_for 'Store the token in'          # the keyring is checked before the token is asked for
type_line 'y'
wait_for 'Paste a token'
type_line "$token"
wait_for 'Create a new private (secret) gist?'
type_line ''
wait_for "Next: 'ccu gist push'"
expect_screen 'This machine: laptop'
expect_screen 'token from prompt'
if screen | grep -qF -- "$token"; then echo "the token was echoed" >&2; exit 1; fi
save setup

type_line 'clear; ccu gist push && ccu gist pull && echo PUSH-PULL-$m'
wait_for 'PUSH-PULL-DONE'
save push-pull

type_line 'clear; ccu gist status; echo STATUS-$m'
wait_for 'STATUS-DONE'
expect_screen 'Token:         the token file'
expect_screen 'laptop: 1 records'
save status

type_line 'clear; ccu gist auto-sync on --interval 30m; cat "$FAKE_DIR/crontab"; echo ON-$m'
wait_for 'ON-DONE'
expect_screen '# ccu auto-sync'
expect_screen '15 3 * * * /usr/bin/backup --all'
save auto-sync-on

type_line 'clear; ccu gist auto-sync off; cat "$FAKE_DIR/crontab"; echo OFF-$m'
wait_for 'OFF-DONE'
grep -qF '# ccu auto-sync' "$tmp/crontab" && { echo "off left ccu's line:" >&2; cat "$tmp/crontab" >&2; screen >&2; exit 1; }
grep -qF '/usr/bin/backup --all' "$tmp/crontab" || { echo "off removed the user's line" >&2; exit 1; }
save auto-sync-off

# Progress on the terminal while a push waits on the server: the git push is held back 3 s.
line() {  # line N: one more usage line (a new session file)
    printf '{"type":"assistant","sessionId":"s-%s","uuid":"u-%s","timestamp":"2026-11-30T11:00:00.000Z","cwd":"/home/me/proj","requestId":"req-%s","message":{"id":"msg-%s","model":"claude-sonnet-4-20250514","usage":{"input_tokens":100,"output_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}\n' "$1" "$1" "$1" "$1"
}
for n in 2 3 4 5 6 7 8; do line $n > "$tmp/home/.claude/projects/-home-me-proj/session-$n.jsonl"; done
fake_control /_fake/faults '{"faults":[{"method":"POST","path_regex":"git-receive-pack","port":"git","action":"delay","delay_ms":3000}]}'
type_line 'clear; ccu gist push; echo PUSHP-$m'
wait_for 'Uploading 0/'
expect_screen 'Pushing to Gist...'
save push-progress
wait_for 'PUSHP-DONE'
if screen | grep -qF 'Uploading'; then echo "the progress line was not cleared" >&2; screen >&2; exit 1; fi
expect_screen 'Records exported:  7'
save push-progress-done

# A second data dir pulls every file over REST; each raw download waits 1.5 s.
mkdir -p "$tmp/cfg2" && cp -R "$tmp/cfg/ccu" "$tmp/cfg2/ccu"
fake_control /_fake/config '{"truncate_bytes": 64}'
fake_control /_fake/faults '{"faults":[{"method":"GET","path_regex":".","port":"raw","times":20,"action":"delay","delay_ms":1500}]}'
type_line 'clear; XDG_CONFIG_HOME="$FAKE_DIR/cfg2" CCU_DATA_DIR="$FAKE_DIR/data2" ccu gist pull --transport rest; echo PULLP-$m'
wait_for 'Pulling 0/1 file, 0 B of '
save pull-progress
wait_for 'PULLP-DONE'
if screen | grep -qF 'Pulling 0/'; then echo "the progress line was not cleared" >&2; screen >&2; exit 1; fi
expect_screen 'New records:       8'
save pull-progress-done
fake_control /_fake/config '{"truncate_bytes": 1048576}'

# With a systemd user manager (a fake systemctl that records its arguments) 'on' writes the two
# units and enables the timer; 'off' removes them.
cat > "$tmp/bin/systemctl" <<'SH'
#!/bin/sh
echo "systemctl $*" >> "$FAKE_DIR/systemctl.log"
case "$*" in
  *show-environment*) echo "HOME=$HOME" ;;
  *NextElapseUSecRealtime*) echo "Tue 2026-12-01 15:30:00 UTC" ;;
esac
SH
chmod +x "$tmp/bin/systemctl"
type_line 'clear; ccu gist auto-sync on --interval 30m && cat "$XDG_CONFIG_HOME"/systemd/user/ccu-auto-sync.* "$FAKE_DIR/systemctl.log"; echo SYSD-$m'
wait_for 'SYSD-DONE'
expect_screen 'OnUnitActiveSec=30min'
expect_screen 'systemctl --user enable --now ccu-auto-sync.timer'
expect_screen 'ExecStart='
save auto-sync-systemd
type_line 'clear; ccu gist auto-sync off; ls "$XDG_CONFIG_HOME"/systemd/user/; echo SYSOFF-$m'
wait_for 'SYSOFF-DONE'
[ -e "$tmp/cfg/systemd/user/ccu-auto-sync.timer" ] && { echo "off left the timer unit" >&2; screen >&2; exit 1; }
save auto-sync-systemd-off

type_line 'clear; ccu gist psh; echo "exit $?"'
wait_for 'exit 2'
expect_screen "did you mean 'push'?"
save typo
echo "tmux session: ok"
