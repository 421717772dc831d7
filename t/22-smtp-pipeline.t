#!/usr/bin/perl
# 22-smtp-pipeline.t - pipelined sessions and many recipients
#
# Scenario: 20 messages pipelined in a single write must all be delivered
# with 20 "250 2.0.0 Ok: queued" replies in order; one message to 60 users
# (smtpd_recipient_limit raised) reaches every Maildir exactly once; a
# client that disconnects mid-DATA leaves no queue file and no delivery.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new(main => { smtpd_recipient_limit => 100 });
$t->user('pt_alice');
my @users = map { sprintf 'pt_fan%02d', $_ } 1 .. 60;
$t->user($_) for @users;
ok($t->start, 'started') or BAIL_OUT('cannot start');

my $cmds = "EHLO x\r\n" . join('', map {
	"MAIL FROM:<p$_\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\n"
	    . "Subject: p$_\r\n\r\nbody $_\r\n.\r\n" } 1 .. 20) . "QUIT\r\n";
my $out = $t->smtp($cmds);
my @queued = $out =~ /^250 2\.0\.0 Ok: queued as ([0-9A-F]+)\r$/mg;
is(scalar @queued, 20, '20 pipelined messages queued');
my @f = $t->wait_files($t->maildir_new('pt_alice'), 20, 30);
is(scalar @f, 20, '20 delivered');
my %subj = map { (PosternTest::slurp($_) =~ /^Subject: (p\d+)$/m)[0] => 1 } @f;
is(scalar keys %subj, 20, 'each message once');

my ($rc, $o) = $t->python(<<PY);
import smtplib
rcpts = ["pt_fan%02d\@localhost" % i for i in range(1, 61)]
with smtplib.SMTP("127.0.0.1", PORT, timeout=30) as s:
    r = s.sendmail("fan\@client.example", rcpts, b"Subject: fanout\\r\\n\\r\\nhello all\\r\\n")
    assert r == {}, r
PY
is($rc, 0, '60 recipients accepted') or diag($o);
my $all = $t->wait_until(sub { !grep { PosternTest::files_in($t->maildir_new($_)) != 1 } @users }, 60);
ok($all, 'every one of 60 Maildirs has exactly one message');

# disconnect mid-DATA: nothing queued, nothing delivered
my $before = () = PosternTest::files_in($t->maildir_new('pt_alice'));
$out = $t->smtp("EHLO x\r\nMAIL FROM:<cut\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a mess",
    half_close => 1, timeout => 5);
like($out, qr/^354 /m, 'DATA started');
ok($t->wait_log(qr/disconnect from unknown\[127\.0\.0\.1\].*data=0\/1/), 'smtpd saw the disconnect');
ok($t->wait_until(sub { !$t->queue_files('incoming') }, 10), 'no partial queue file left');
my $after = () = PosternTest::files_in($t->maildir_new('pt_alice'));
is($after, $before, 'nothing delivered from the cut session');
done_testing;
