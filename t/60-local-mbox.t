#!/usr/bin/perl
# 60-local-mbox.t - mbox delivery under mail_spool_directory with locking
#
# Scenario: home_mailbox empty, mail_spool_directory a test spool (mode
# 1777 like /var/mail's sticky variant). Two messages to pt_dave land in
# SPOOL/pt_dave in mbox format: a "From " separator line each, Return-Path
# and Delivered-To, ">From " quoting of a body line starting with "From ",
# owned by pt_dave, no lock file left behind.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $spool_dir;
BEGIN { $spool_dir = "/var/tmp/postern-test-spool.$$" }
mkdir $spool_dir;
chmod 01777, $spool_dir;
my $t = PosternTest->new(main => { home_mailbox => '',
    mail_spool_directory => $spool_dir });
$t->user('pt_dave');
ok($t->start, 'started') or BAIL_OUT('cannot start');
for my $i (1, 2) {
	my $out = $t->smtp("EHLO x\r\nMAIL FROM:<a$i\@client.example>\r\nRCPT TO:<pt_dave\@localhost>\r\nDATA\r\nSubject: mbox $i\r\n\r\nFrom here on\r\nbody $i\r\n.\r\nQUIT\r\n");
	like($out, qr/queued as/, "message $i queued");
}
my $mbox = "$spool_dir/pt_dave";
ok($t->wait_until(sub { (() = (PosternTest::slurp($mbox) // '') =~ /^From /mg) >= 2 }, 20), 'two messages in the mbox');
my $m = PosternTest::slurp($mbox) // '';
like($m, qr/\AFrom a1\@client\.example \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nReturn-Path: <a1\@client\.example>\n/, 'first separator and Return-Path');
like($m, qr/^>From here on$/m, 'From quoted in the body');
like($m, qr/^Delivered-To: pt_dave\@localhost$/m, 'Delivered-To');
like($m, qr/body 1\n\nFrom a2\@client\.example /, 'messages separated by an empty line');
my @st = stat $mbox;
is($st[4], scalar getpwnam('pt_dave'), 'mbox owned by the recipient');
ok(!-e "$mbox.lock", 'no lock file left');
END { system('rm', '-rf', $spool_dir) if $spool_dir }
done_testing;
