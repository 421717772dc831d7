#!/usr/bin/perl
# 20-smtp-deliver.t - SMTP in, Maildir out, byte-exact
#
# Scenario: users pt_alice and pt_bob with Maildirs. smtplib sends a message
# with lines starting with dots (smtplib stuffs them, smtpd unstuffs), 8-bit bytes, a long line, trailing spaces and no
# Message-ID/Date; swaks sends one to two recipients. Each Maildir/new gets
# exactly one file whose body is the sent body with CRLF turned into LF and
# the dot unstuffed, headed by Return-Path, Delivered-To and Received, with
# Message-ID and Date added; the queue is empty afterwards and the log has
# Postfix's lines.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t = PosternTest->new;
$t->user($_) for qw(pt_alice pt_bob);
ok($t->start, 'started') or BAIL_OUT('cannot start');

my $long = 'x' x 1500;
my ($rc, $out) = $t->python(<<PY);
import smtplib
body = (b"Subject: exact\\r\\n\\r\\nline one\\r\\n.leading dot\\r\\n..two dots\\r\\n"
        b"8bit: \\xc3\\xa9t\\xc3\\xa9\\r\\ntrailing   \\r\\n$long\\r\\n\\r\\nlast\\r\\n")
with smtplib.SMTP("127.0.0.1", PORT, timeout=20) as s:
    code, msg = s.ehlo("client.example")
    assert code == 250, msg
    for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "smtputf8", "dsn"):
        assert s.has_extn(ext), ext
    r = s.sendmail("sender\@client.example", ["pt_alice\@localhost"], body)
    assert r == {}, r
print("sent")
PY
is($rc, 0, 'smtplib sent') or diag($out);
my $new = $t->maildir_new('pt_alice');
my @f = $t->wait_files($new, 1);
is(scalar @f, 1, 'one file in Maildir/new');
my $m = PosternTest::slurp($f[0]) // '';
my ($head, $body) = split /\n\n/, $m, 2;
like($head, qr/\AReturn-Path: <sender\@client\.example>\n/, 'Return-Path first');
like($head, qr/^Delivered-To: pt_alice\@localhost$/m, 'Delivered-To');
like($head, qr/^Received: from client\.example \(unknown \[127\.0\.0\.1\]\)\n\tby mx\.test\.example/m, 'Received');
like($head, qr/^Message-ID: <[0-9A-F]+\@mx\.test\.example>$/m, 'Message-ID added');
like($head, qr/^Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}/m, 'Date added');
like($head, qr/^Subject: exact$/m, 'Subject kept');
is($body, "line one\n.leading dot\n..two dots\n8bit: \xc3\xa9t\xc3\xa9\ntrailing   \n$long\n\nlast\n",
    'body byte-exact, unstuffed, LF line ends');
unlike($m, qr/\r/, 'no CR in the Maildir file');
my @st = stat $f[0];
is($st[4], scalar getpwnam('pt_alice'), 'file owned by the recipient');
is($st[2] & 07777, 0600, 'file mode 0600');
is($st[5], scalar((getpwnam('pt_alice'))[3]), 'file group the recipient\'s');
(my $tmp = $new) =~ s{/new\z}{/tmp};
opendir(my $td, $tmp) or die "$tmp: $!";
is(scalar(grep { !/\A\.\.?\z/ } readdir $td), 0, 'nothing left in tmp/');
closedir $td;

# a message that has its own Message-ID and Date keeps them
($rc, $out) = $t->run_cmd('swaks', '--server', "127.0.0.1:$t->{port}",
    '--from', 'a@client.example', '--to', 'pt_alice@localhost,pt_bob@mx.test.example',
    '--header', 'Message-ID: <fixed@client.example>', '--body', 'two rcpts');
is($rc, 0, 'swaks to two recipients') or diag($out);
@f = $t->wait_files($new, 2);
is(scalar @f, 2, 'alice has the second message');
my @b = $t->wait_files($t->maildir_new('pt_bob'), 1);
is(scalar @b, 1, 'bob has it too');
$m = PosternTest::slurp($b[0]) // '';
like($m, qr/^Message-ID: <fixed\@client\.example>$/m, 'own Message-ID kept');
is(() = $m =~ /^Message-ID:/mg, 1, 'no second Message-ID');
like($m, qr/^Delivered-To: pt_bob\@mx\.test\.example$/m, 'Delivered-To as addressed');

ok($t->wait_until(sub { !$t->queue_files }), 'queue empty after delivery');
my $log = $t->log_text;
like($log, qr{postern/smtpd\[\d+\]: connect from unknown\[127\.0\.0\.1\]}, 'smtpd connect line');
like($log, qr{postern/smtpd\[\d+\]: [0-9A-F]+: client=unknown\[127\.0\.0\.1\]}, 'client= line');
like($log, qr{postern/cleanup\[\d+\]: [0-9A-F]+: message-id=<}, 'cleanup message-id line');
like($log, qr{postern/qmgr\[\d+\]: [0-9A-F]+: from=<sender\@client\.example>, size=\d+, nrcpt=1 \(queue active\)}, 'qmgr from= line');
like($log, qr{postern/local\[\d+\]: [0-9A-F]+: to=<pt_alice\@localhost>, relay=local, delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, status=sent \(delivered to maildir\)}, 'local status=sent line');
like($log, qr{postern/qmgr\[\d+\]: [0-9A-F]+: removed}, 'removed line');
done_testing;
