#!/usr/bin/perl
# 40-sandbox.t - every daemon runs unprivileged (but local) under seccomp
#
# Scenario: a root-started instance after one delivery. Every child of
# master shows "Seccomp: 2" in /proc/PID/status, and every one but local
# runs as mail_owner. Then each daemon program is run with -Z, which enters
# its real allow-list and makes a forbidden system call: it must die by
# SIGSYS.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use POSIX qw(WIFSIGNALED WTERMSIG);

plan skip_all => 'needs root' if $> != 0;
my $t = PosternTest->new;
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $out = $t->smtp("EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n");
like($out, qr/queued as/, 'a message went through');
$t->wait_files($t->maildir_new('pt_alice'), 1);

my $master = $t->master_pid;
my $owner = getpwnam('postern');
my %seen;
for my $p (split ' ', `pgrep -P $master`) {
	my $comm = `cat /proc/$p/comm`; chomp $comm;
	my $st = PosternTest::slurp("/proc/$p/status") // next;
	my ($uid) = $st =~ /^Uid:\s+\d+\s+(\d+)/m;
	my ($sc) = $st =~ /^Seccomp:\s+(\d+)/m;
	$seen{$comm}++;
	is($sc, 2, "$comm ($p) has a seccomp filter");
	if ($comm eq 'local') {
		is($uid, 0, 'local keeps root to switch to recipients');
	} else {
		is($uid, $owner, "$comm runs as mail_owner");
	}
	if ($comm ne 'local') {
		my ($root) = readlink("/proc/$p/root");
		is($root, $t->{queue}, "$comm is chrooted into the queue") if $comm =~ /^(smtpd|cleanup|qmgr)$/;
	}
}
ok($seen{$_}, "$_ was running") for qw(smtpd cleanup qmgr local);

for my $prog (qw(smtpd cleanup qmgr local)) {
	my $pid = fork // die;
	if ($pid == 0) {
		open STDOUT, '>', '/dev/null'; open STDERR, '>', '/dev/null';
		my $bin = PosternTest::bin($prog);
		{ exec { $bin } $bin, '-c', $t->{conf}, '-n', $prog, '-t', 'unix', '-Z' };
		POSIX::_exit(127);	# exec failed
	}
	waitpid($pid, 0);
	my $st = $?;
	ok(WIFSIGNALED($st) && WTERMSIG($st) == 31, "$prog -Z: forbidden call kills it with SIGSYS")
	    or diag("status $st");
}
done_testing;
