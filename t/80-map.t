#!/usr/bin/perl
# 80-map.t - postern map (postmap): build, query, delete, add, errors, and
# an atomic rebuild under readers
#
# Scenario: a configuration made by the harness (the mail system is not
# started: map needs only main.cf). Text sources in DIR/tables are built
# with `postern map` into hash: and btree: tables, which must be real
# Berkeley DB files (file(1) says so, db5.3_dump shows keys and values
# with their NUL as Postfix writes them) and answer -q (exit 0 and the
# value, or exit 1). -d removes (0) or finds nothing (1); -i adds from
# standard input. Errors give one line and a sysexits status: unknown type
# 64, missing source 66, syntax error 65 with file:line (the old table
# stays), corrupt .db 65, usage 64. A reader holding the old .db open
# keeps an intact old inode (link count 0) across a rebuild, and queries
# running during 20 rebuilds never fail. With Postfix installed, its
# postmap reads our table.
use strict;
use warnings;
use lib 't/lib';
use PosternTest;
use Test::More;
use File::Copy qw(copy);
use POSIX qw(_exit);

my $t = PosternTest->new;
my $dir = "$t->{dir}/tables";
mkdir $dir or die "mkdir $dir: $!";
my $bin = PosternTest::bin('postern');

sub put_file {
	my ($path, $text, $mode) = @_;
	open my $f, '>', $path or die "$path: $!";
	print $f $text;
	close $f or die;
	chmod($mode // 0644, $path);
}

sub map_cmd { return $t->postern('map', @_) }

sub map_stdin {
	my ($input, @args) = @_;
	my $in = "$t->{dir}/stdin";
	put_file($in, $input);
	my $out = `$bin -c '$t->{conf}' map @args < '$in' 2>&1`;
	return ($? >> 8, $out);
}

my $src = <<'SRC';
# virtual table
info@example.com    alice
Sales@Example.COM   bob, carol
long@example.com    first
    continued
SRC
put_file("$dir/virtual", $src, 0640);

# build and query, both Berkeley DB types
for my $type (qw(hash btree)) {
	my ($rc, $out) = map_cmd("$type:$dir/virtual");
	is($rc, 0, "$type: build exits 0") or diag($out);
	my $what = `file '$dir/virtual.db'`;
	my $kind = $type eq 'hash' ? 'Hash' : 'Btree';
	like($what, qr/Berkeley DB.*$kind/, "$type: file(1) says Berkeley DB $kind");
	is((stat "$dir/virtual.db")[2] & 07777, 0640, "$type: the source's mode");
	SKIP: {
		my ($dump) = grep { -x } map { "$_/db5.3_dump" } qw(/usr/bin /bin);
		skip 'no db5.3_dump', 1 unless $dump;
		my $d = `$dump -p '$dir/virtual.db'`;
		like($d, qr/^ sales\@example.com\\00\n bob, carol\\00$/m,
		    "$type: key folded, key and value stored with NUL");
	}
	($rc, $out) = map_cmd('-q', 'SALES@example.com', "$type:$dir/virtual");
	is($rc, 0, "$type: -q found exits 0");
	is($out, "bob, carol\n", "$type: -q prints the value");
	($rc, $out) = map_cmd('-q', 'long@example.com', "$type:$dir/virtual");
	is($out, "first continued\n", "$type: continuation line joined");
	($rc, $out) = map_cmd('-q', 'nobody@example.com', "$type:$dir/virtual");
	is($rc, 1, "$type: -q not found exits 1");
	is($out, '', "$type: -q not found prints nothing");
}

# the default type is hash
unlink "$dir/virtual.db";
my ($rc, $out) = map_cmd("$dir/virtual");
is($rc, 0, 'build without a type');
like(`file '$dir/virtual.db'`, qr/Berkeley DB \(Hash/, 'default type is hash');

# -d and -i
($rc, $out) = map_cmd('-d', 'Info@example.com', "hash:$dir/virtual");
is($rc, 0, '-d removes a key: exit 0') or diag($out);
($rc, $out) = map_cmd('-q', 'info@example.com', "hash:$dir/virtual");
is($rc, 1, 'removed key is gone');
($rc, $out) = map_cmd('-d', 'info@example.com', "hash:$dir/virtual");
is($rc, 1, '-d of a missing key: exit 1');
($rc, $out) = map_cmd('-q', 'sales@example.com', "hash:$dir/virtual");
is($out, "bob, carol\n", 'other keys kept by -d');
($rc, $out) = map_stdin("new\@example.com dave\nsales\@example.com erin\n",
    '-i', "hash:$dir/virtual");
is($rc, 0, '-i adds from standard input') or diag($out);
($rc, $out) = map_cmd('-q', 'new@example.com', "hash:$dir/virtual");
is($out, "dave\n", '-i: new key');
($rc, $out) = map_cmd('-q', 'sales@example.com', "hash:$dir/virtual");
is($out, "erin\n", '-i: existing key replaced');

# texthash and inline need no building: map checks their syntax
($rc, $out) = map_cmd("texthash:$dir/virtual");
is($rc, 0, 'texthash source checks out');
($rc, $out) = map_cmd('-q', 'INFO@example.com', "texthash:$dir/virtual");
is($out, "alice\n", 'texthash -q');
($rc, $out) = map_cmd('-q', 'b', 'inline:{ a=1, { b = two words } }');
is($out, "two words\n", 'inline -q');

# errors and exit codes
my @errors = (
	['unknown type', ["nosuch:$dir/virtual"], 64,
	    qr/unsupported dictionary type: nosuch/],
	['missing source', ["hash:$dir/absent"], 66,
	    qr/open source \S+absent: No such file/],
	['missing table', ['-q', 'x', "btree:$dir/absent"], 66,
	    qr/absent\.db: No such file/],
	['no table argument', [], 64, qr/usage: postern/],
	['two modes', ['-q', 'a', '-d', 'b', "hash:$dir/virtual"], 64,
	    qr/usage: postern/],
	['bad option', ['-z', "hash:$dir/virtual"], 64, qr/invalid option -z/],
	['delete from texthash', ['-d', 'a', "texthash:$dir/virtual"], 64,
	    qr/cannot be changed/],
);
for my $e (@errors) {
	my ($name, $args, $code, $re) = @$e;
	($rc, $out) = map_cmd(@$args);
	is($rc, $code, "$name: exit $code");
	like($out, $re, "$name: message");
}

# an ordinary user cannot write root's table
SKIP: {
	skip 'not root', 2 unless $> == 0;
	put_file("$dir/public", "a b\n", 0644);
	my $o = `runuser -u nobody -- $bin -c '$t->{conf}' map hash:$dir/public 2>&1`;
	is($? >> 8, 77, 'permission denied: exit 77');
	like($o, qr/public\.db\.tmp\S+: Permission denied/,
	    'permission denied: message names the file');
}

# a syntax error names file and line, and leaves the old table alone
put_file("$dir/broken", "good value\n");
($rc, $out) = map_cmd("hash:$dir/broken");
is($rc, 0, 'build the table to break');
put_file("$dir/broken", "good other\n# comment\nbad\n");
($rc, $out) = map_cmd("hash:$dir/broken");
is($rc, 65, 'syntax error: exit 65');
like($out, qr{\Q$dir\E/broken:3: expected format: key whitespace value},
    'syntax error: file:line');
($rc, $out) = map_cmd('-q', 'good', "hash:$dir/broken");
is($out, "value\n", 'old table kept after a failed build');
my @tmp = glob("$dir/*.tmp*");
is(scalar @tmp, 0, 'no temporary file left behind');

# a corrupt table is refused
put_file("$dir/corrupt.db", join('', map { chr(($_ * 7 + 3) % 256) } 0..8191));
($rc, $out) = map_cmd('-q', 'a', "hash:$dir/corrupt");
is($rc, 65, 'corrupt .db: exit 65');
like($out, qr/corrupt\.db: not a Berkeley DB hash file, or corrupt/,
    'corrupt .db: clear error');
($rc, $out) = map_cmd('-q', 'a', "hash:$dir/broken.db.none");
isnt($rc, 0, 'table of a wrong name refused');

# rebuild while a reader holds the old table open: old inode intact
my $big = join('', map { "key$_ value$_\n" } 1..2000);
put_file("$dir/live", $big . "state old\n");
($rc, $out) = map_cmd("btree:$dir/live");
is($rc, 0, 'build the live table');
open my $reader, '<', "$dir/live.db" or die "live.db: $!";
put_file("$dir/live", $big . "state new\n");
($rc, $out) = map_cmd("btree:$dir/live");
is($rc, 0, 'rebuild while a reader has it open');
my @st = stat $reader;
is($st[3], 0, 'the old inode lost its link (readers see the change)');
copy($reader, "$dir/old.db") or die "copy: $!";
close $reader;
($rc, $out) = map_cmd('-q', 'state', "btree:$dir/old");
is($out, "old\n", 'the old inode is still the complete old table');
($rc, $out) = map_cmd('-q', 'state', "btree:$dir/live");
is($out, "new\n", 'a new reader sees the new table');

# queries during rebuilds never see a half-built table
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	my $bad = 0;
	for (1..150) {
		my $v = `$bin -c '$t->{conf}' map -q key1999 btree:$dir/live 2>&1`;
		$bad++ if $? != 0 || $v ne "value1999\n";
	}
	_exit($bad > 255 ? 255 : $bad);
}
my $builds_ok = 0;
for my $i (1..20) {
	put_file("$dir/live", $big . "state $i\n");
	($rc, $out) = map_cmd("btree:$dir/live");
	$builds_ok++ if $rc == 0;
}
waitpid($pid, 0);
is($builds_ok, 20, '20 rebuilds under readers');
is($? >> 8, 0, 'no query failed during the rebuilds');

# Postfix reads our tables
SKIP: {
	skip 'Postfix postmap not installed', 2 unless -x '/usr/sbin/postmap';
	mkdir "$t->{dir}/pf";
	put_file("$t->{dir}/pf/main.cf", '');
	for my $type (qw(hash btree)) {
		map_cmd("$type:$dir/virtual");
		my $v = `/usr/sbin/postmap -c '$t->{dir}/pf' -q Info\@Example.com $type:$dir/virtual 2>&1`;
		is($v, "alice\n", "Postfix's postmap -q reads our $type table");
	}
}

done_testing;
