#!/usr/bin/perl
# 31-queue-corrupt.t - malformed queue files go to corrupt/ with a log line
#
# Scenario: with the instance stopped, files are planted in the queue: one
# truncated, one with garbage, one with a bad version, one with a valid
# envelope but no END record, and one good file written by a previous run
# (recovered). On start qmgr moves each bad one to corrupt/ and logs it,
# delivers the good one, and keeps running.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new(main => { queue_run_delay => '1s' });
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
ok($t->stop, 'stopped');

sub rec { my ($type, $data) = @_; return $type . pack('N', length $data) . $data }
sub qfile {
	my (%o) = @_;
	my $env = rec('T', '1700000000.000000') . rec('F', 'a@client.example')
	    . rec('R', 'pt_alice@localhost');
	my $content = "Subject: planted $o{tag}\n\nplanted body\n";
	my $ver = rec('V', $o{version} // 'postern-queue 1');
	my $size_len = 15 + 1 + 15 + 1 + 15 + 1 + 8;
	my $pre = length($ver) + 5 + $size_len;
	my $coff = $pre + length $env;
	my $body = rec('M', '') . rec('L', $content);
	my $end = $o{no_end} ? '' : rec('E', '');
	my $total = $coff + length($body) + length($end);
	my $size = sprintf('%15d %15d %15d %8d', $total, $coff, length $content, 1);
	return $ver . rec('S', $size) . $env . $body . $end;
}
my %files = (
	'0000000A00000AAA1' => qfile(tag => 'good'),
	'0000000A00000AAA2' => substr(qfile(tag => 'trunc'), 0, 60),
	'0000000A00000AAA3' => "garbage\0\1\2 not a queue file at all" x 3,
	'0000000A00000AAA4' => qfile(tag => 'ver', version => 'postern-queue 99'),
	'0000000A00000AAA5' => qfile(tag => 'noend', no_end => 1),
);
my $uid = getpwnam('postern');
for my $id (sort keys %files) {
	my $p = "$t->{queue}/incoming/$id";
	open my $f, '>:raw', $p or die "$p: $!";
	print $f $files{$id};
	close $f;
	chmod 0700, $p;
	chown $uid, -1, $p;
}
ok($t->start, 'started again');
my @f = $t->wait_files($t->maildir_new('pt_alice'), 1, 20);
is(scalar @f, 1, 'the good planted file is delivered');
like(PosternTest::slurp($f[0]) // '', qr/^Subject: planted good$/m, 'it is the good one');
ok($t->wait_until(sub { PosternTest::files_in("$t->{queue}/corrupt") == 4 }, 20),
    'four bad files in corrupt/');
for my $id (qw(0000000A00000AAA2 0000000A00000AAA3 0000000A00000AAA4 0000000A00000AAA5)) {
	ok(-e "$t->{queue}/corrupt/$id", "$id moved to corrupt/");
	like($t->log_text, qr/$id: .*corrupt/, "$id logged");
}
my @r = $t->session("QUIT\r\n");
like($r[0], qr/^220 /, 'still serving');
done_testing;
