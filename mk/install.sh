#!/bin/sh
# install.sh - install postern's programs, man pages and sample configuration
#
# Called by `make install` as: sh mk/install.sh DESTDIR PREFIX BUILD_BIN
#   PREFIX/sbin/postern            the administration command
#   PREFIX/libexec/postern/        master and every daemon in BUILD_BIN
#   PREFIX/share/man/man{1,5,8}/   the manual pages
#   DESTDIR/etc/postern/           main.cf and master.cf, unless they exist
#                                  (then the new samples go beside them as
#                                  main.cf.dist and master.cf.dist)
# The installed main.cf names the daemon directory (the postern command
# looks beside itself only when daemon_directory is empty). With an empty
# DESTDIR, as root, the user mail_owner "postern" and the group
# setgid_group "postdrop" are created when missing; a package build
# (DESTDIR set) leaves that to the package's install scripts.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: sh mk/install.sh DESTDIR PREFIX BUILD_BIN" >&2
	exit 2
fi
destdir=$1
prefix=$2
bin=$3
root=$(cd "$(dirname "$0")/.." && pwd)
daemons_required="master smtpd cleanup qmgr local"

case $prefix in
/*) ;;
*) echo "install: PREFIX must be an absolute path: $prefix" >&2; exit 2 ;;
esac
if [ ! -x "$bin/postern" ]; then
	echo "install: $bin/postern not found: run make first" >&2
	exit 1
fi
for d in $daemons_required; do
	if [ ! -x "$bin/$d" ]; then
		echo "install: $bin/$d not found: run make first" >&2
		exit 1
	fi
done

sbindir=$destdir$prefix/sbin
libexecdir=$destdir$prefix/libexec/postern
mandir=$destdir$prefix/share/man
confdir=$destdir/etc/postern

install -d -m 755 "$sbindir" "$libexecdir" "$confdir"
install -m 755 "$bin/postern" "$sbindir/postern"
echo "install: $sbindir/postern"

# every daemon program: the required ones and any other built beside them
for f in "$bin"/*; do
	name=${f##*/}
	case $name in
	postern | sendmail | mailq | newaliases | postdrop) continue ;;
	*.* ) continue ;;
	esac
	[ -f "$f" ] && [ -x "$f" ] || continue
	install -m 755 "$f" "$libexecdir/$name"
	echo "install: $libexecdir/$name"
done

for n in 1 5 8; do
	for f in "$root/man/man$n"/*."$n"; do
		[ -f "$f" ] || continue
		install -d -m 755 "$mandir/man$n"
		install -m 644 "$f" "$mandir/man$n/${f##*/}"
		echo "install: $mandir/man$n/${f##*/}"
	done
done

# sample configuration; main.cf learns where the daemons are
daemon_dir=$prefix/libexec/postern
sed_dir=$(printf '%s\n' "$daemon_dir" | sed 's/[\\|&]/\\&/g')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed "s|^daemon_directory *=.*|daemon_directory = $sed_dir|" \
	"$root/conf/main.cf" >"$tmp"
if ! grep -q "^daemon_directory = $daemon_dir\$" "$tmp"; then
	echo "install: conf/main.cf has no daemon_directory line" >&2
	exit 1
fi
for f in main.cf master.cf; do
	src="$root/conf/$f"
	[ "$f" = main.cf ] && src=$tmp
	if [ -e "$confdir/$f" ]; then
		install -m 644 "$src" "$confdir/$f.dist"
		echo "install: $confdir/$f exists, kept; new sample: $f.dist"
	else
		install -m 644 "$src" "$confdir/$f"
		echo "install: $confdir/$f"
	fi
done

# the accounts the daemons and the sendmail command need
if [ -z "$destdir" ] && [ "$(id -u)" = 0 ]; then
	if ! getent group postdrop >/dev/null; then
		groupadd -r postdrop
		echo "install: created group postdrop"
	fi
	if ! getent passwd postern >/dev/null; then
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin postern
		echo "install: created user postern"
	fi
elif [ -z "$destdir" ]; then
	echo "install: not root: create the user postern and the group" \
	    "postdrop before postern start" >&2
fi

# the sendmail command (mailq and newaliases are links to it) and its
# setgid helper postdrop, which may write maildrop/ through the group
if [ -x "$bin/sendmail" ] && [ -x "$bin/postdrop" ]; then
	install -m 755 "$bin/sendmail" "$sbindir/sendmail"
	ln -sf sendmail "$sbindir/mailq"
	ln -sf sendmail "$sbindir/newaliases"
	echo "install: $sbindir/sendmail, mailq, newaliases"
	if [ "$(id -u)" = 0 ] && getent group postdrop >/dev/null; then
		install -m 2755 -g postdrop "$bin/postdrop" "$sbindir/postdrop"
		echo "install: $sbindir/postdrop (setgid postdrop)"
	else
		install -m 755 "$bin/postdrop" "$sbindir/postdrop"
		echo "install: $sbindir/postdrop: not setgid (not root, or" \
		    "no group postdrop): chgrp postdrop, chmod 2755 it" >&2
	fi
fi

# the aliases file Postfix and postern share by default, and its table:
# with the default alias_maps, smtpd and local need /etc/aliases.db
if [ ! -e "$destdir/etc/aliases" ]; then
	install -m 644 "$root/conf/aliases" "$destdir/etc/aliases"
	echo "install: $destdir/etc/aliases"
fi
if [ -z "$destdir" ] && [ "$(id -u)" = 0 ] && [ -x "$sbindir/newaliases" ]; then
	"$sbindir/newaliases" -C "$confdir" &&
		echo "install: built /etc/aliases.db (newaliases)"
fi

cat <<EOF
install: done. Next: edit $confdir/main.cf (myhostname, mydestination),
install: then run "$prefix/sbin/postern start" as root.
EOF
