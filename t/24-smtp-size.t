#!/usr/bin/perl
# 24-smtp-size.t - message_size_limit at and past the limit
#
# Scenario: message_size_limit = 20000. EHLO announces SIZE 20000; a
# message just under the limit is delivered; one just over gets 552 5.3.4
# after the final dot and leaves nothing in the queue; the session goes on
# and accepts another message afterwards.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new(main => { message_size_limit => 20000 });
$t->user('pt_alice');
ok($t->start, 'started') or BAIL_OUT('cannot start');
my @r = $t->session("EHLO x\r\n");
like($r[1], qr/^250-SIZE 20000\r$/m, 'SIZE announced');

sub msg { my ($n) = @_; return "Subject: s\r\n\r\n" . ("y" x 98 . "\r\n") x $n }
my $hdr = "EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\n";
# content as received by cleanup: LF line ends, plus the Received header
# smtpd adds (about 200 bytes): 180 lines of 99 bytes is below the limit
my $out = $t->smtp($hdr . msg(180) . ".\r\nQUIT\r\n");
like($out, qr/^250 2\.0\.0 Ok: queued/m, 'message under the limit accepted');
$out = $t->smtp($hdr . msg(220) . ".\r\n"
    . "MAIL FROM:<b\@client.example>\r\nRCPT TO:<pt_alice\@localhost>\r\nDATA\r\nSubject: small\r\n\r\nsmall\r\n.\r\nQUIT\r\n");
like($out, qr/^552 5\.3\.4 /m, 'message over the limit refused with 552 5.3.4');
like($out, qr/^552 5\.3\.4 .*\n(?:.*\n)*?250 2\.1\.0 .*\n250 2\.1\.5 .*\n354 .*\n250 2\.0\.0 Ok: queued/m,
    'session continues after the refusal');
my @f = $t->wait_files($t->maildir_new('pt_alice'), 2);
is(scalar @f, 2, 'two messages delivered, the big one not');
ok($t->wait_until(sub { !$t->queue_files }), 'queue empty');
is(scalar(PosternTest::files_in("$t->{queue}/corrupt")), 0, 'nothing corrupt');

my ($rc, $o) = $t->python(<<'PY');
import smtplib
with smtplib.SMTP("127.0.0.1", PORT, timeout=20) as s:
    s.ehlo("x")
    try:
        s.sendmail("a@client.example", ["pt_alice@localhost"], b"Subject: big\r\n\r\n" + (b"y" * 76 + b"\r\n") * 3000)
        print("accepted")
    except smtplib.SMTPException as e:
        print("refused", e)
PY
like($o, qr/refused.*552/, 'smtplib sees 552 for a 230 KB message');
done_testing;
