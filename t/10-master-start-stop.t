#!/usr/bin/perl
# 10-master-start-stop.t - postern start|status|reload|stop and master's pid
#
# Scenario: default test configuration. postern start brings master up with
# its pid in queue/pid/master.pid; a second start is refused; status names
# the pid; reload keeps the listening socket (a connection made right after
# it is answered, and a session open across it goes on); stop ends every
# process and status then says so.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use IO::Socket::INET;

my $t = PosternTest->new;
ok($t->start, 'postern start: port listens') or BAIL_OUT('cannot start');
my $pid = $t->master_pid;
like($pid, qr/^\d+$/, 'master.pid holds a pid');
ok(kill(0, $pid), 'master runs');
my ($rc, $out) = $t->postern('status');
is($rc, 0, 'status exits 0 while running');
like($out, qr/running.*\b$pid\b/, 'status names the pid');
($rc, $out) = $t->postern('start');
isnt($rc, 0, 'second start refused');
like($out, qr/already running/, 'second start says why');

my @r = $t->session("QUIT\r\n");
like($r[0], qr/^220 mx\.test\.example ESMTP/, 'greeting');
# a session in progress survives the reload
$t->user('pt_alice');
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->{port},
    Proto => 'tcp', Timeout => 10) or die;
PosternTest::read_reply($s);
for my $c ("EHLO x\r\n", "MAIL FROM:<a\@client.example>\r\n",
    "RCPT TO:<pt_alice\@localhost>\r\n") {
	$s->syswrite($c);
	PosternTest::read_reply($s);
}
($rc, $out) = $t->postern('reload');
is($rc, 0, 'reload exits 0');
ok($t->wait_log(qr/reload/), 'master logs the reload');
$s->syswrite("DATA\r\n");
like(PosternTest::read_reply($s), qr/^354 /, 'session in progress goes on after reload');
$s->syswrite("Subject: across reload\r\n\r\nx\r\n.\r\n");
like(PosternTest::read_reply($s), qr/^250 2\.0\.0 Ok: queued/, 'and its message is accepted');
close $s;
is(scalar($t->wait_files($t->maildir_new('pt_alice'), 1)), 1, 'and delivered');
@r = $t->session("QUIT\r\n");
like($r[0], qr/^220 /, 'greeting right after reload');
is($t->master_pid, $pid, 'same master after reload');

# a crashed daemon is replaced
my @kids = split ' ', `pgrep -P $pid`;
ok(@kids >= 1, 'master has children');
my ($qmgr) = grep { (`cat /proc/$_/comm 2>/dev/null` // '') =~ /^qmgr/ } @kids;
ok($qmgr, 'qmgr runs');
kill 'KILL', $qmgr if $qmgr;
ok($t->wait_until(sub {
	grep { $_ != $qmgr && (`cat /proc/$_/comm 2>/dev/null` // '') =~ /^qmgr/ }
	    split ' ', `pgrep -P $pid`
}, 20), 'killed qmgr is restarted');

ok($t->stop, 'stop exits 0');
ok(PosternTest::gone($pid), 'master is gone');
($rc, $out) = $t->postern('status');
is($rc, 1, 'status exits 1 when stopped');
like($out, qr/not running/, 'status says not running');
ok(!$t->listening, 'port closed');
done_testing;
