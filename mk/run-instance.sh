#!/bin/sh
# run-instance.sh - a self-contained postern instance under ./run
#
# Called by `make run` (start) and `make stop` (stop). The instance lives
# in RUN=<checkout>/run: conf/ (main.cf and master.cf, written anew by each
# start), queue/, mail/ (one Maildir per recipient: mail/USER/new/) and
# maillog. It listens on 127.0.0.1:$RUN_PORT (default 2525), accepts mail
# for any local part @localhost (and @postern.localhost), and runs with no
# privilege switching: as the invoking user, or, when invoked as root, as
# the unprivileged system user "postern-run" (created if missing), so that
# it behaves the same everywhere and never needs root's powers.
# Programs come from $POSTERN_BIN (default <checkout>/build/bin).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
run=$root/run
bin=${POSTERN_BIN:-$root/build/bin}
port=${RUN_PORT:-2525}
run_user=postern-run

usage() {
	echo "usage: sh mk/run-instance.sh start|stop" >&2
	exit 2
}

# as_user - run a command as the instance's user
as_user() {
	if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

# port_listening - whether something listens on 127.0.0.1:PORT
port_listening() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
	else
		return 1
	fi
}

# port_owner - who listens on PORT, when ss can tell
port_owner() {
	command -v ss >/dev/null 2>&1 || return 0
	ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(\(.*\))/\1/p' |
		head -n 1
}

write_conf() {
	mkdir -p "$run/conf" "$run/queue" "$run/mail"
	cat >"$run/conf/main.cf" <<EOF
# main.cf of the instance made by "make run" (mk/run-instance.sh).
# Written anew by each "make run": edit it, then run
#   $bin/postern -c $run/conf reload
# to try a change, and copy the change into mk/run-instance.sh to keep it.
queue_directory = $run/queue
daemon_directory = $bin
maillog_file = $run/maillog
mail_owner = $user
setgid_group = $group
myhostname = postern.localhost
mydomain = localhost
mydestination = localhost, \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# every local part is accepted and delivered into $run/mail/LOCALPART/
local_recipient_maps =
alias_maps =
virtual_mailbox_base = $run/mail
EOF
	cat >"$run/conf/master.cf" <<EOF
# master.cf of the instance made by "make run": no chroot, no uid switch.
# service       type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$port inet  n       n       n       -       -       smtpd
cleanup         unix  n       n       n       -       0       cleanup
qmgr            unix  n       n       n       300     1       qmgr
local           unix  -       n       n       -       -       local
EOF
}

instructions() {
	cat <<EOF

postern runs on 127.0.0.1:$port as user $user, in $run:
  conf/       its main.cf and master.cf (written anew by each make run)
  queue/      its queue
  mail/       delivered mail: mail/USER/new/, one file per message
  maillog     its log

Send a test message to you@localhost with any of:
  swaks --server 127.0.0.1:$port --to you@localhost
  python3 -c 'import smtplib; s = smtplib.SMTP("127.0.0.1", $port); s.sendmail("me@localhost", ["you@localhost"], "Subject: test\r\n\r\nhello\r\n"); s.quit()'
  printf 'HELO me\r\nMAIL FROM:<me@localhost>\r\nRCPT TO:<you@localhost>\r\nDATA\r\nSubject: test\r\n\r\nhello\r\n.\r\nQUIT\r\n' | nc 127.0.0.1 $port

It lands in:   ls $run/mail/you/new/
The log:       tail -f $run/maillog
The queue:     ls $run/queue/incoming $run/queue/active $run/queue/deferred
Is it running: $bin/postern -c $run/conf status
Stop it:       make stop
EOF
}

start() {
	for p in postern master smtpd cleanup qmgr local; do
		if [ ! -x "$bin/$p" ]; then
			echo "run: $bin/$p not found: run make first" >&2
			exit 1
		fi
	done
	if [ "$(id -u)" = 0 ]; then
		user=$run_user
		if ! getent passwd "$user" >/dev/null; then
			useradd -r -M -d /nonexistent -s /usr/sbin/nologin \
			    "$user"
			echo "run: created the unprivileged user $user"
		fi
	else
		user=$(id -un)
	fi
	group=$(id -gn "$user")
	if [ -f "$run/conf/main.cf" ] &&
	    as_user "$bin/postern" -c "$run/conf" status >/dev/null 2>&1; then
		echo "run: the instance is already running (make stop stops it)"
		instructions
		exit 0
	fi
	if port_listening "$port"; then
		owner=$(port_owner "$port")
		echo "run: port 127.0.0.1:$port is busy${owner:+ (used by $owner)}." >&2
		echo "run: stop what listens there, or choose another port:" \
		    "make run RUN_PORT=2526" >&2
		exit 1
	fi
	write_conf
	if [ "$(id -u)" = 0 ]; then
		chown -R "$user:$group" "$run"
		if ! runuser -u "$user" -- test -x "$bin/postern" ||
		    ! runuser -u "$user" -- test -w "$run/queue"; then
			echo "run: user $user cannot reach $bin and $run;" \
			    "make every directory above the checkout" \
			    "searchable (chmod o+x), or run make run as an" \
			    "ordinary user" >&2
			exit 1
		fi
	fi
	if ! as_user "$bin/postern" -c "$run/conf" start; then
		echo "run: postern did not start; the log: $run/maillog" >&2
		exit 1
	fi
	i=0
	while ! port_listening "$port"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "run: nothing listens on 127.0.0.1:$port after" \
			    "10 seconds; the log: $run/maillog" >&2
			exit 1
		fi
		sleep 0.1
	done
	instructions
}

stop() {
	if [ ! -f "$run/conf/main.cf" ]; then
		echo "run: no instance in $run (make run starts one)"
		exit 0
	fi
	user=$(stat -c %U "$run/queue" 2>/dev/null || id -un)
	if [ "$(id -u)" != 0 ] && [ "$user" != "$(id -un)" ]; then
		user=$(id -un)
	fi
	if ! as_user "$bin/postern" -c "$run/conf" status >/dev/null 2>&1; then
		echo "run: the instance in $run is not running"
		exit 0
	fi
	as_user "$bin/postern" -c "$run/conf" stop
}

[ $# -eq 1 ] || usage
case $1 in
start) start ;;
stop) stop ;;
*) usage ;;
esac
