#!/usr/bin/perl
# 85-conf-check.t - postern conf (postconf) and postern check
#
# Scenario: the default test configuration, started. conf prints every
# parameter expanded and sorted, conf -n the main.cf entries as written,
# conf -d the table's defaults, conf NAME just those (an unknown name is a
# warning and exit 1), conf -h values only; conf -e edits main.cf keeping
# comments, blank lines, order, owner and mode, and refuses a bad value with
# the params error and the file unchanged; conf -X removes; conf -M prints
# master.cf normalized. check passes on the good instance (exit 0), then
# each planted problem is found, with file and line where there is one: a
# bad value (exit 1), an unknown parameter (a warning, exit 0), a queue
# directory with the wrong mode, a world-writable queue file, hash:
# alias_maps without its .db, an old or writable .db, and master.cf lines
# with too few columns, a bad maxproc, an unknown type and a duplicate.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new;
my $conf = $t->{conf};
my $main = "$conf/main.cf";
my $mastercf = "$conf/master.cf";
my ($rc, $out);

sub lines_of { my ($text) = @_; return grep { length } split /\n/, $text }
sub nlines { my ($f) = @_; my $x = PosternTest::slurp($f); return ($x =~ tr/\n//) }

# line_of - the number of the last line of a file matching re
sub line_of {
	my ($f, $re) = @_;
	my ($i, $n) = (0, 0);
	for (split /\n/, PosternTest::slurp($f)) { $i++; $n = $i if $_ =~ $re }
	return $n;
}

sub write_file {
	my ($path, $text) = @_;
	open my $f, '>', $path or die "$path: $!";
	print $f $text;
	close $f or die "$path: $!";
}

# conf: every parameter, expanded, sorted
($rc, $out) = $t->postern('conf');
is($rc, 0, 'conf exits 0');
my @names = map { /^(\w+) =/ ? $1 : "BAD:$_" } lines_of($out);
ok(@names > 40, 'conf prints the whole table');
is_deeply(\@names, [sort @names], 'conf output is sorted by name');
ok(!grep(/^BAD:/, @names), 'every line is "name = value"');
like($out, qr/^message_size_limit = 10240000$/m, 'conf: default value');
like($out, qr/^queue_directory = \Q$t->{queue}\E$/m, 'conf: value from main.cf');
like($out, qr/^mydestination = mx\.test\.example, localhost$/m,
    'conf: $name expanded');

# conf -n: main.cf as written
($rc, $out) = $t->postern('conf', '-n');
is($rc, 0, 'conf -n exits 0');
like($out, qr/^mydestination = \$myhostname, localhost$/m,
    'conf -n: value as written');
unlike($out, qr/^message_size_limit/m, 'conf -n: defaults left out');
my @n = map { /^(\w+) =/ ? $1 : $_ } lines_of($out);
is_deeply(\@n, [sort @n], 'conf -n output is sorted');

# conf -d: the table
($rc, $out) = $t->postern('conf', '-d');
is($rc, 0, 'conf -d exits 0');
like($out, qr/^message_size_limit = 10240000$/m, 'conf -d: message_size_limit');
like($out, qr/^queue_directory = \/var\/spool\/postern$/m,
    'conf -d: queue_directory default, not main.cf');
like($out, qr/^myorigin = \$myhostname$/m, 'conf -d: default unexpanded');

# conf NAME..., -h, unknown names
($rc, $out) = $t->postern('conf', 'message_size_limit', 'myhostname');
is($out, "message_size_limit = 10240000\nmyhostname = mx.test.example\n",
    'conf NAME NAME: just those, in order');
($rc, $out) = $t->postern('conf', '-h', 'myhostname');
is($out, "mx.test.example\n", 'conf -h: value only');
($rc, $out) = $t->postern('conf', 'no_such_thing', 'myhostname');
is($rc, 1, 'conf with an unknown name exits 1');
like($out, qr/^postern: warning: no_such_thing: unknown parameter$/m,
    'unknown name: warning');
like($out, qr/^myhostname = mx\.test\.example$/m, 'known name still printed');
($rc, $out) = $t->postern('conf', '-d', '-n');
is($rc, 2, 'conf -d -n: usage error');

# conf -e: edits that keep everything else
my $orig = PosternTest::slurp($main);
write_file($main, "# site settings\n\n$orig# trailing comment\n");
chown scalar(getpwnam('nobody')), -1, $main if $> == 0;
chmod 0640, $main;
my @before = stat $main;
($rc, $out) = $t->postern('conf', '-e', 'message_size_limit=20480000',
    'relayhost = [smart.example]:587');
is($rc, 0, 'conf -e exits 0') or diag($out);
my $text = PosternTest::slurp($main);
like($text, qr/\A# site settings\n\n\Q$orig\E# trailing comment\n/,
    'conf -e: comments, blank line and other lines kept');
like($text, qr/# trailing comment\nmessage_size_limit = 20480000\nrelayhost = \[smart\.example\]:587\n\z/,
    'conf -e: new names appended');
my @after = stat $main;
is($after[4], $before[4], 'conf -e keeps the owner');
is($after[2] & 07777, 0640, 'conf -e keeps the mode');
opendir(my $d, $conf) or die;
is(scalar(grep { /^\.main\.cf/ } readdir $d), 0, 'no temporary file left');
closedir $d;
($rc, $out) = $t->postern('conf', 'message_size_limit');
is($out, "message_size_limit = 20480000\n", 'conf sees the new value');

my @old_lines = split /\n/, $text;
($rc, $out) = $t->postern('conf', '-e', 'myhostname=mx2.test.example');
my @new_lines = split /\n/, PosternTest::slurp($main);
my ($idx) = grep { $old_lines[$_] =~ /^myhostname / } 0 .. $#old_lines;
is($new_lines[$idx], 'myhostname = mx2.test.example',
    'conf -e replaces an entry in place');
is(scalar(@new_lines), scalar(@old_lines), 'no line added or lost');

$text = PosternTest::slurp($main);
($rc, $out) = $t->postern('conf', '-e', 'message_size_limit=lots');
is($rc, 1, 'conf -e with a bad value exits 1');
like($out, qr/\Q$main\E, line \d+: message_size_limit: expected a number between 0 and \d+, got "lots"/,
    'bad value: the params error with file and line');
like($out, qr/not changed/, 'bad value: says the file is not changed');
is(PosternTest::slurp($main), $text, 'bad value: main.cf unchanged');
($rc, $out) = $t->postern('conf', '-e', 'smtpd_timeout');
isnt($rc, 0, 'conf -e without "=": refused');
($rc, $out) = $t->postern('conf', '-e', 'bad name=1');
isnt($rc, 0, 'conf -e with a bad name: refused');
is(PosternTest::slurp($main), $text, 'refused edits leave main.cf alone');

# conf -X
($rc, $out) = $t->postern('conf', '-X', 'relayhost', 'myhostname');
is($rc, 0, 'conf -X exits 0');
$text = PosternTest::slurp($main);
unlike($text, qr/^(relayhost|myhostname)\b/m, 'conf -X removed both');
like($text, qr/^# site settings$/m, 'conf -X kept the comments');
write_file($main, $orig);
chmod 0644, $main;
chown 0, 0, $main if $> == 0;

# conf -M
($rc, $out) = $t->postern('conf', '-M');
is($rc, 0, 'conf -M exits 0');
like($out, qr/^cleanup    unix  n       -       y       -       0       cleanup$/m,
    'conf -M: columns normalized');
like($out, qr/^qmgr       unix  n       -       y       300     1       qmgr$/m,
    'conf -M: qmgr');
($rc, $out) = $t->postern('conf', '-M', 'qmgr/unix');
is(scalar(lines_of($out)), 1, 'conf -M SERVICE/TYPE: one entry');

# check on the good instance
ok($t->start, 'instance starts') or BAIL_OUT('cannot start');
($rc, $out) = $t->postern('check');
is($rc, 0, 'check passes on a good instance') or diag($out);
like($out, qr/check: 0 errors, \d+ warnings?$/m, 'check: summary line');

# a bad value
my $good_main = PosternTest::slurp($main);
write_file($main, $good_main . "smtpd_timeout = forever\n");
my $line = nlines($main);
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: bad value exits 1');
like($out, qr/error: \Q$main\E, line $line: smtpd_timeout: expected a time/,
    'check: bad value with file and line');
like($out, qr/check: [1-9]\d* errors?/, 'check: summary counts the error');

# an unknown parameter: a warning only
write_file($main, $good_main . "no_such_parameter = 1\n");
($rc, $out) = $t->postern('check');
is($rc, 0, 'check: unknown parameter is not an error') or diag($out);
like($out, qr/warning: \Q$main\E, line $line: unknown parameter no_such_parameter/,
    'check: unknown parameter warning with file and line');
write_file($main, $good_main);

# the queue
chmod 0755, "$t->{queue}/hold";
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: wrong queue directory mode exits 1');
like($out, qr/\Q$t->{queue}\E\/hold has mode 0755, expected 0700/,
    'check: names the directory and the mode expected');
chmod 0700, "$t->{queue}/hold";
write_file("$t->{queue}/hold/junk", "x");
chmod 0666, "$t->{queue}/hold/junk";
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: world-writable queue file exits 1');
like($out, qr/hold\/junk is world writable/, 'check: names the file');
unlink "$t->{queue}/hold/junk";

# hash: alias_maps
my $aliases = "$t->{dir}/aliases";
write_file($aliases, "postmaster: root\n");
($rc, $out) = $t->postern('conf', '-e', "alias_maps=hash:$aliases");
is($rc, 0, 'conf -e alias_maps');
$line = line_of($main, qr/^alias_maps /);
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: missing .db exits 1');
like($out, qr/\Q$main\E, line $line: alias_maps: hash:\Q$aliases\E: \Q$aliases\E\.db: No such file or directory: run newaliases/,
    'check: missing .db named, with the line of alias_maps');
write_file("$aliases.db", "");
utime time - 100, time - 100, "$aliases.db";
($rc, $out) = $t->postern('check');
is($rc, 0, 'check: an old .db is only a warning') or diag($out);
like($out, qr/\Q$aliases\E\.db is older than source file \Q$aliases\E: run newaliases/,
    'check: old .db');
utime undef, undef, "$aliases.db";
chmod 0666, "$aliases.db";
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: writable .db exits 1');
like($out, qr/\Q$aliases\E\.db is writable by group or others/,
    'check: writable .db');
unlink "$aliases.db";
SKIP: {
	my ($mrc) = $t->postern('help', 'map');
	skip 'postern map is not built yet', 2 if $mrc != 0;
	write_file($aliases, "postmaster root\n");
	($rc, $out) = $t->postern('map', "hash:$aliases");
	is($rc, 0, 'postern map builds the table') or diag($out);
	($rc, $out) = $t->postern('check');
	is($rc, 0, 'check: a fresh .db passes') or diag($out);
}
($rc, $out) = $t->postern('conf', '-e', 'alias_maps=');

# master.cf
my $good_master = PosternTest::slurp($mastercf);
my $m0 = nlines($mastercf);
write_file($mastercf, $good_master
    . "bogus     inet  n       -       n\n"
    . "weird     unix  n       -       n       -       lots    cleanup\n"
    . "odd       sock  n       -       n       -       -       cleanup\n"
    . "cleanup   unix  n       -       n       -       0       cleanup\n");
($rc, $out) = $t->postern('check');
is($rc, 1, 'check: bad master.cf exits 1');
like($out, qr/\Q$mastercf\E, line @{[$m0 + 1]}: expected at least 8 columns/,
    'check: too few columns, with file and line');
like($out, qr/\Q$mastercf\E, line @{[$m0 + 2]}: service weird: bad maxproc "lots"/,
    'check: bad maxproc');
like($out, qr/\Q$mastercf\E, line @{[$m0 + 3]}: service odd: unknown type "sock"/,
    'check: unknown type');
like($out, qr/\Q$mastercf\E, line @{[$m0 + 4]}: service cleanup: duplicate of the unix service on line \d+/,
    'check: duplicate service');
write_file($mastercf, $good_master);
($rc, $out) = $t->postern('check');
is($rc, 0, 'check passes again once repaired') or diag($out);
done_testing;
