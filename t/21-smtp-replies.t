#!/usr/bin/perl
# 21-smtp-replies.t - every SMTP error gets its reply and enhanced code
#
# Scenario: user pt_alice exists; the client is 127.0.0.1, which is in
# mynetworks, except where relay_test overrides mynetworks to another
# network. Each case sends commands one by one and checks the reply to the
# last one.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new(main => { smtpd_recipient_limit => 3 });
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');

my $F = "MAIL FROM:<s\@client.example>\r\n";
my $R = "RCPT TO:<pt_alice\@localhost>\r\n";
my @cases = (
	# name, commands, reply wanted for the last command
	['unknown command', ["FOO\r\n"], qr/^500 5\.5\.2 /],
	['EHLO without argument', ["EHLO\r\n"], qr/^501 5\.5\.4 /],
	['HELO ok', ["HELO c.example\r\n"], qr/^250 mx\.test\.example/],
	['EHLO lists extensions', ["EHLO c.example\r\n"],
	    qr/^250-PIPELINING\r\n.*^250-SIZE \d+\r\n.*^250-ENHANCEDSTATUSCODES\r\n.*^250-8BITMIME\r\n.*^250-DSN\r\n.*^250 SMTPUTF8\r\n/ms],
	['RCPT before MAIL', ["EHLO c\r\n", $R], qr/^503 5\.5\.1 /],
	['DATA before RCPT', ["EHLO c\r\n", $F, "DATA\r\n"], qr/^503 5\.5\.1 /],
	['nested MAIL', ["EHLO c\r\n", $F, $F], qr/^503 5\.5\.1 .*nested/i],
	['MAIL syntax', ["EHLO c\r\n", "MAIL <a\@b>\r\n"], qr/^501 5\.5\.4 /],
	['bad sender', ["EHLO c\r\n", "MAIL FROM:<a\@b\r\n"], qr/^501 5\.1\.7 /],
	['bad recipient', ["EHLO c\r\n", $F, "RCPT TO:<\@>\r\n"], qr/^501 5\.1\.3 /],
	['unsupported MAIL option', ["EHLO c\r\n", "MAIL FROM:<a\@b.example> FOO=1\r\n"], qr/^555 5\.5\.4 /],
	['SIZE too big', ["EHLO c\r\n", "MAIL FROM:<a\@b.example> SIZE=999999999999\r\n"], qr/^552 5\.3\.4 /],
	['null sender ok', ["EHLO c\r\n", "MAIL FROM:<>\r\n"], qr/^250 2\.1\.0 /],
	['unknown local user', ["EHLO c\r\n", $F, "RCPT TO:<nosuch_pt_user\@localhost>\r\n"],
	    qr/^550 5\.1\.1 <nosuch_pt_user\@localhost>: Recipient address rejected/],
	['postmaster always', ["EHLO c\r\n", $F, "RCPT TO:<postmaster\@localhost>\r\n"], qr/^250 2\.1\.5 /],
	['known user', ["EHLO c\r\n", $F, $R], qr/^250 2\.1\.5 /],
	['user case folded', ["EHLO c\r\n", $F, "RCPT TO:<PT_Alice\@LOCALHOST>\r\n"], qr/^250 2\.1\.5 /],
	['too many recipients', ["EHLO c\r\n", $F, $R, $R, $R, $R], qr/^452 4\.5\.3 /],
	['DSN parameters', ["EHLO c\r\n", "MAIL FROM:<a\@b.example> RET=HDRS ENVID=abc+2Bdef\r\n",
	    "RCPT TO:<pt_alice\@localhost> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;pt_alice\@localhost\r\n"], qr/^250 2\.1\.5 /],
	['RSET', ["EHLO c\r\n", $F, "RSET\r\n"], qr/^250 2\.0\.0 /],
	['MAIL after RSET', ["EHLO c\r\n", $F, "RSET\r\n", $F], qr/^250 2\.1\.0 /],
	['NOOP', ["NOOP\r\n"], qr/^250 2\.0\.0 /],
	['HELP', ["HELP\r\n"], qr/^214 2\.0\.0 /],
	['VRFY known', ["VRFY pt_alice\r\n"], qr/^252 2\.0\.0 /],
	['VRFY unknown', ["VRFY nosuch_pt_user\r\n"], qr/^252 2\.0\.0 /],
	['EXPN', ["EXPN staff\r\n"], qr/^502 5\.5\.1 /],
	['BDAT', ["EHLO c\r\n", $F, $R, "BDAT 3 LAST\r\n"], qr/^502 5\.5\.1 /],
	['long command line', ["EHLO " . ('a' x 3000) . "\r\n"], qr/^500 5\.5\.0 /],
	['NUL in command', ["NO\0OP\r\n"], qr/^500 5\.5\.2 /],
	['QUIT', ["QUIT\r\n"], qr/^221 2\.0\.0 /],
);
for my $c (@cases) {
	my ($name, $cmds, $want) = @$c;
	my @r = $t->session(@$cmds);
	like($r[-1], $want, $name);
}

# relay: a client outside mynetworks may not relay
my $u = PosternTest->new(main => { mynetworks => '10.99.0.0/16' });
ok($u->start, 'second instance started');
my @r = $u->session("EHLO c\r\n", $F, "RCPT TO:<x\@elsewhere.example>\r\n");
like($r[-1], qr/^554 5\.7\.1 <x\@elsewhere\.example>: Relay access denied/, 'relay denied');
@r = $u->session("EHLO c\r\n", $F, $R);
like($r[-1], qr/^250 2\.1\.5 /, 'local recipient still accepted from outside mynetworks');
ok($u->wait_log(qr/NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 554 5\.7\.1 <x\@elsewhere\.example>: Relay access denied; from=<s\@client\.example> to=<x\@elsewhere\.example> proto=ESMTP helo=<c>/),
    'reject logged Postfix-style');

# hard error limit: the session is closed with 421
my $v = PosternTest->new(main => { smtpd_hard_error_limit => 3,
    smtpd_soft_error_limit => 10 });
ok($v->start, 'third instance started');
my $out = $v->smtp("FOO\r\nFOO\r\nFOO\r\nFOO\r\nNOOP\r\n");
like($out, qr/^421 4\.7\.0 .*too many errors/m, 'hard error limit closes with 421');
unlike($out, qr/^250 /m, 'nothing served after the limit');

# disable_vrfy_command
my $w = PosternTest->new(main => { disable_vrfy_command => 'yes',
    smtpd_timeout => '2s' });
ok($w->start, 'fourth instance started');
@r = $w->session("VRFY pt_alice\r\n");
like($r[-1], qr/^502 5\.5\.1 /, 'VRFY disabled: 502');
# idle timeout
$out = $w->smtp('', timeout => 10);
like($out, qr/^421 4\.4\.2 .*timeout/m, 'idle client gets 421 4.4.2 after smtpd_timeout');
done_testing;
