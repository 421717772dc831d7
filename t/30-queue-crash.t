#!/usr/bin/perl
# 30-queue-crash.t - a daemon killed with SIGKILL mid-load loses nothing
#
# Scenario: 4 clients send 25 messages each while the test kills, with
# SIGKILL, every smtpd, cleanup, qmgr and local process it finds, several
# times. Every message that got "250 ... queued as ID" must end up in the
# Maildir (duplicates of in-flight deliveries are allowed, losses are not),
# and the queue must drain.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use POSIX ();

my $t = PosternTest->new(main => { service_throttle_time => '2s',
    minimal_backoff_time => '1s', maximal_backoff_time => '2s',
    queue_run_delay => '1s' });
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $master = $t->master_pid;

my ($rc, $out);
my $pid = fork // die;
if ($pid == 0) {
	my ($c, $o) = $t->python(<<'PY');
import smtplib, threading
ok = []
lock = threading.Lock()
def client(k):
    for i in range(25):
        subj = "crash-%d-%d" % (k, i)
        try:
            with smtplib.SMTP("127.0.0.1", PORT, timeout=30) as s:
                s.sendmail("a@client.example", ["pt_alice@localhost"],
                           ("Subject: %s\r\n\r\nbody\r\n" % subj).encode())
            with lock:
                ok.append(subj)
        except Exception as e:
            pass
ts = [threading.Thread(target=client, args=(k,)) for k in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(" ".join(ok))
PY
	open my $f, '>', "$t->{dir}/accepted" or die;
	print $f $o;
	close $f;
	POSIX::_exit(0);
}
for my $round (1 .. 6) {
	select(undef, undef, undef, 0.3);
	for my $k (split ' ', `pgrep -P $master`) {
		my $comm = `cat /proc/$k/comm 2>/dev/null` // '';
		kill 'KILL', $k if $comm =~ /^(smtpd|cleanup|qmgr|local)/;
	}
}
waitpid($pid, 0);
my @accepted = split ' ', (PosternTest::slurp("$t->{dir}/accepted") // '');
ok(@accepted >= 10, scalar(@accepted) . ' messages accepted despite the kills');
my $new = $t->maildir_new('pt_alice');
my %seen;
$t->wait_until(sub {
	%seen = ();
	for (PosternTest::files_in($new)) {
		my ($s) = (PosternTest::slurp($_) // '') =~ /^Subject: (crash-\d+-\d+)$/m;
		$seen{$s}++ if $s;
	}
	!grep { !$seen{$_} } @accepted;
}, 90);
my @lost = grep { !$seen{$_} } @accepted;
is(scalar @lost, 0, 'no accepted message lost') or diag("lost: @lost");
ok($t->wait_until(sub { !$t->queue_files('incoming', 'active') }, 60), 'queue drained');
is(scalar(PosternTest::files_in("$t->{queue}/corrupt")), 0, 'no corrupt files');
done_testing;
