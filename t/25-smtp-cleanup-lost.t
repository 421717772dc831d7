#!/usr/bin/perl
# 25-smtp-cleanup-lost.t - cleanup dies in the middle of a message
#
# Scenario: a client starts a message to pt_alice; once DATA is answered
# 354 (smtpd has handed the envelope and the recipients to cleanup), the
# test kills every cleanup process with SIGKILL, then the client sends the
# content. smtpd sends the content to cleanup only with the end of the
# message, so the loss shows there: the client must get
# "451 4.3.0 Error: queue file write error", the log must say why, and the
# message must never be delivered. The session goes on: the next message
# on the same connection gets a new cleanup and is delivered.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new;
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $master = $t->master_pid;

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
    PeerPort => $t->{port}, Proto => 'tcp', Timeout => 10) or die "connect: $!";
my $say = sub { $s->syswrite($_[0]); return PosternTest::read_reply($s) };
like(PosternTest::read_reply($s), qr/^220 /, 'banner');
like($say->("EHLO client.example\r\n"), qr/^250 /m, 'EHLO');
like($say->("MAIL FROM:<a\@client.example>\r\n"), qr/^250 /, 'MAIL');
like($say->("RCPT TO:<pt_alice\@localhost>\r\n"), qr/^250 /, 'RCPT');
like($say->("DATA\r\n"), qr/^354 /, 'DATA answered 354');

my @killed;
for my $k (split ' ', `pgrep -P $master`) {
	my $comm = `cat /proc/$k/comm 2>/dev/null` // '';
	push @killed, $k if $comm =~ /^cleanup/ && kill('KILL', $k);
}
ok(@killed >= 1, 'cleanup killed') or diag(`ps -ef`);
ok($t->wait_until(sub { !grep { kill(0, $_) } @killed }), 'cleanup gone');

like($say->("Subject: lost\r\n\r\nnever delivered\r\n.\r\n"),
    qr/^451 4\.3\.0 Error: queue file write error\r\n\z/,
    'end of data answered 451 4.3.0');
like($t->log_text, qr{postern/smtpd\[\d+\]: warning: .*cleanup}i,
    'smtpd logs the cleanup failure');

like($say->("MAIL FROM:<a\@client.example>\r\n"), qr/^250 /,
    'the session goes on');
like($say->("RCPT TO:<pt_alice\@localhost>\r\n"), qr/^250 /, 'RCPT again');
like($say->("DATA\r\n"), qr/^354 /, 'DATA again');
like($say->("Subject: kept\r\n\r\ndelivered\r\n.\r\n"),
    qr/^250 2\.0\.0 Ok: queued as [0-9A-F]+\r\n\z/, 'next message queued');
like($say->("QUIT\r\n"), qr/^221 /, 'QUIT');
close $s;

my @f = $t->wait_files($t->maildir_new('pt_alice'), 1);
is(scalar @f, 1, 'one message delivered');
like(PosternTest::slurp($f[0]) // '', qr/^Subject: kept$/m,
    'it is the second one');
# the killed cleanup's unfinished file may stay in incoming/ (removed once
# stale, util/queue.h), but never in the ready mode
ok($t->wait_until(sub { !$t->queue_files('active') && !grep {
    ((stat $_)[2] & 0777) != 0600 } $t->queue_files('incoming') }),
    'nothing ready is left in the queue');
is(scalar(PosternTest::files_in($t->maildir_new('pt_alice'))), 1,
    'the lost message never arrives');
$t->stop;
done_testing();
