#!/usr/bin/perl
# 50-unprivileged.t - an instance started by an ordinary user
#
# Scenario: user pt_runner starts postern with virtual_mailbox_base under
# its own directory (as `make run` does). It says once that it runs
# without root, its daemons run as pt_runner with seccomp filters, mail to
# any local part lands in virtual_mailbox_base/<localpart>/new, and stop
# works.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

plan skip_all => 'needs root to create the test user' if $> != 0;
system('getent passwd pt_runner >/dev/null || useradd -M -d /nonexistent -s /usr/sbin/nologin pt_runner') == 0
    or die;
my $t = PosternTest->new(run_as => 'pt_runner', main => {
	mail_owner => 'pt_runner',
	local_recipient_maps => '',
});
my $mail = "$t->{dir}/mail";
mkdir $mail;
system('chown', 'pt_runner', $mail);
open my $m, '>>', "$t->{conf}/main.cf" or die;
print $m "virtual_mailbox_base = $mail\n";
close $m;
ok($t->start, 'started as pt_runner') or BAIL_OUT('cannot start: ' . ($t->{start_output} // ''));
ok($t->wait_log(qr/without root/), 'says it runs without root');
my $uid = getpwnam('pt_runner');
my $master = $t->master_pid;
my @st = stat "/proc/$master";
is($st[4], $uid, 'master runs as pt_runner');

my ($rc, $out) = $t->run_cmd('swaks', '--server', "127.0.0.1:$t->{port}",
    '--from', 'a@client.example', '--to', 'someone@localhost', '--body', 'unpriv');
is($rc, 0, 'swaks sent') or diag($out);
my @f = $t->wait_files("$mail/someone/new", 1);
is(scalar @f, 1, 'delivered under virtual_mailbox_base');
like(PosternTest::slurp($f[0]) // '', qr/unpriv/, 'content is there');
for my $p (split ' ', `pgrep -P $master`) {
	my $s = PosternTest::slurp("/proc/$p/status") // next;
	my $comm = `cat /proc/$p/comm`; chomp $comm;
	like($s, qr/^Seccomp:\s+2$/m, "$comm has a seccomp filter");
	like($s, qr/^Uid:\s+$uid\s/m, "$comm runs as pt_runner");
}
ok($t->stop, 'stopped');
ok(PosternTest::gone($master), 'master gone');
done_testing;
