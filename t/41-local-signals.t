#!/usr/bin/perl
# 41-local-signals.t - a recipient cannot stop local through its Maildir child
#
# Scenario: while mail for pt_stop is delivered, a process of pt_stop sends
# SIGSTOP to every process it may signal (kill(-1)), over and over. A
# Maildir delivery child shares local's memory (vfork) and works with
# pt_stop's effective uid; if pt_stop could stop it, local would stop with
# it and the mail would never arrive (with a forked child, it would arrive
# only after the delivery timeout). The child keeps mail_owner as its real
# and saved uid, so every message arrives at once, owned by pt_stop, and
# the log shows no timeout and no killed child.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use POSIX ();

plan skip_all => 'needs root' if $> != 0;
my $t = PosternTest->new;
$t->user('pt_stop');
ok($t->start, 'started') or BAIL_OUT('cannot start');

my $count = 20;
pipe(my $tally_r, my $tally_w) or die "pipe: $!";
my $attacker = fork // die "fork: $!";
if ($attacker == 0) {
	close $tally_r;
	my $stop = 0;
	local $SIG{TERM} = sub { $stop = 1 };
	my @pw = getpwnam('pt_stop') or POSIX::_exit(2);
	$) = "$pw[3] $pw[3]";
	$( = $pw[3];
	POSIX::setuid($pw[2]) or POSIX::_exit(3);
	POSIX::_exit(4) if $< != $pw[2] || $> != $pw[2];
	my $n = 0;
	until ($stop) {
		# kill(-1): every process pt_stop may signal, but itself
		kill('STOP', -1);
		$n++;
	}
	print $tally_w "$n\n";
	close $tally_w;
	POSIX::_exit(0);
}
close $tally_w;

my ($rc, $out) = $t->python(<<PY);
import smtplib
# about 430 KB each: the delivery child lives long enough to be a target
body = b"Subject: stop me\\r\\n\\r\\n" + (b"0123456789" * 7 + b"\\r\\n") * 6000
with smtplib.SMTP("127.0.0.1", PORT, timeout=60) as s:
    for i in range($count):
        r = s.sendmail("sender\@client.example", ["pt_stop\@localhost"], body)
        assert r == {}, r
print("sent")
PY
is($rc, 0, "$count messages sent") or diag($out);
my @f = $t->wait_files($t->maildir_new('pt_stop'), $count, 60);
is(scalar @f, $count, 'every message delivered while pt_stop sends SIGSTOP');

kill('TERM', $attacker);
my $n = <$tally_r> // 0;
chomp $n;
waitpid($attacker, 0);
is($? >> 8, 0, 'the attacking process ran as pt_stop');
cmp_ok($n, '>', 1000, "it called kill(-1, SIGSTOP) many times ($n)");
system('pkill', '-KILL', '-u', 'pt_stop');	# anything it did stop

my $uid = getpwnam('pt_stop');
is(scalar(grep { (stat $_)[4] == $uid } @f), $count,
    'the files belong to pt_stop');
my $log = $t->log_text;
unlike($log, qr/timed out|killed by signal|ended by its alarm/,
    'no delivery timed out or was killed');
unlike($log, qr/fork a process each/, 'local knows mail_owner');
done_testing;
