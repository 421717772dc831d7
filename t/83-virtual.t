#!/usr/bin/perl
# 83-virtual.t - virtual alias and canonical rewriting, recipient checks
#
# Scenario: users pt4r_bob, pt4r_carol, pt4r_dave; recipient_delimiter +;
# virtual_alias_maps = a texthash: table and a hash: table (built with
# postern map): info@virt.example -> pt4r_bob (an unqualified result,
# qualified with $myorigin), team@virt.example -> pt4r_bob and
# pt4r_carol, @catch.example -> pt4r_dave, and "virt.example" as a key,
# which makes it a virtual alias domain through the default
# virtual_alias_domains = $virtual_alias_maps; sender_canonical_maps maps
# the sender to bounce@canon.example; recipient_canonical_maps maps
# oldname@mx.test.example to pt4r_carol; alias_maps (texthash:, postmap
# syntax "key value" as Postfix's texthash) has "sales pt4r_bob".
# Must follow: each message lands in the right Maildirs, with the
# canonical sender as Return-Path; the log has orig_to=<...> for
# rewritten recipients; info+tag@virt.example arrives with the extension
# (propagate_unmatched_extensions); RCPT to the alias "sales" and to
# pt4r_bob+ext is accepted, an unknown recipient of virt.example gets
# 550 5.1.1 ... virtual alias table, an unknown local user 550 5.1.1 ...
# local recipient table; a new entry in the texthash table is seen
# without restart (the daemons exit after their connection).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

my $t0 = PosternTest->new;	# only for its directory
my $dir = $t0->{dir};
my %file = (
	virtual => "info\@virt.example pt4r_bob\n"
	    . "team\@virt.example pt4r_bob, pt4r_carol\@mx.test.example\n"
	    . "virt.example anything\n",
	virtual_hash => "\@catch.example pt4r_dave\n",
	sender_canonical => "pt4r_sender\@client.example bounce\@canon.example\n",
	recipient_canonical => "oldname\@mx.test.example pt4r_carol\@mx.test.example\n",
	aliases => "sales pt4r_bob\n",
);
for my $f (keys %file) {
	open my $fh, '>', "$dir/$f" or die "$dir/$f: $!";
	print $fh $file{$f};
	close $fh;
}
my $t = PosternTest->new(main => {
	recipient_delimiter => '+',
	virtual_alias_maps => "texthash:$dir/virtual, hash:$dir/virtual_hash",
	sender_canonical_maps => "texthash:$dir/sender_canonical",
	recipient_canonical_maps => "texthash:$dir/recipient_canonical",
	alias_maps => "texthash:$dir/aliases",
});
my ($rc, $out) = $t->postern('map', "hash:$dir/virtual_hash");
is($rc, 0, 'postern map builds the hash: table') or diag($out);
$t->user($_) for qw(pt4r_bob pt4r_carol pt4r_dave);
ok($t->start, 'started') or BAIL_OUT('cannot start');

# send - one message by swaks; 0 when accepted
sub send_mail {
	my ($from, $to, $subject) = @_;
	my ($c, $o) = $t->run_cmd('swaks', '--server', "127.0.0.1:$t->{port}",
	    '--from', $from, '--to', $to, '--header', "Subject: $subject",
	    '--body', "body of $subject");
	diag($o) if $c != 0;
	return $c;
}

# mails - the messages in a user's Maildir/new whose subject matches
sub mails {
	my ($user, $subject) = @_;
	return grep { (PosternTest::slurp($_) // '') =~ /^Subject: \Q$subject\E$/m }
	    PosternTest::files_in($t->maildir_new($user));
}

sub wait_mail {
	my ($user, $subject) = @_;
	$t->wait_until(sub { mails($user, $subject) >= 1 });
	my @m = mails($user, $subject);
	return @m ? PosternTest::slurp($m[0]) : '';
}

# a virtual alias to one local user; canonical sender as Return-Path
is(send_mail('pt4r_sender@client.example', 'info@virt.example', 'one'), 0,
    'sent to info@virt.example');
my $m = wait_mail('pt4r_bob', 'one');
like($m, qr/\AReturn-Path: <bounce\@canon\.example>\n/,
    'sender_canonical_maps: rewritten sender is the Return-Path');
like($m, qr/^Delivered-To: pt4r_bob\@mx\.test\.example$/m,
    'virtual alias delivered to pt4r_bob');
ok($t->wait_log(qr/to=<pt4r_bob\@mx\.test\.example>, orig_to=<info\@virt\.example>,.*status=sent/),
    'log has orig_to');

# a virtual alias to two users
is(send_mail('a@client.example', 'team@virt.example', 'two'), 0,
    'sent to team@virt.example');
ok(wait_mail('pt4r_bob', 'two'), 'team: bob has it');
ok(wait_mail('pt4r_carol', 'two'), 'team: carol has it');

# catch-all @domain from the hash: table
is(send_mail('a@client.example', 'whoever@catch.example', 'catch'), 0,
    'sent to whoever@catch.example');
ok(wait_mail('pt4r_dave', 'catch'), 'catch-all delivered to dave');

# recipient_canonical_maps
is(send_mail('a@client.example', 'oldname@mx.test.example', 'canon'), 0,
    'sent to oldname@mx.test.example');
$m = wait_mail('pt4r_carol', 'canon');
like($m, qr/^Delivered-To: pt4r_carol\@mx\.test\.example$/m,
    'recipient_canonical_maps: delivered to carol');
like($m, qr/\AReturn-Path: <a\@client\.example>\n/,
    'an unlisted sender is not rewritten');

# user+tag through a virtual alias: the extension is kept
is(send_mail('a@client.example', 'info+news@virt.example', 'tag'), 0,
    'sent to info+news@virt.example');
$m = wait_mail('pt4r_bob', 'tag');
like($m, qr/^Delivered-To: pt4r_bob\+news\@mx\.test\.example$/m,
    'extension propagated to the virtual result');

# recipient checks of smtpd
my @r = $t->session("EHLO client.example\r\n",
    "MAIL FROM:<a\@client.example>\r\n",
    "RCPT TO:<sales\@mx.test.example>\r\n",
    "RCPT TO:<pt4r_bob+anything\@mx.test.example>\r\n",
    "RCPT TO:<nobody\@virt.example>\r\n",
    "RCPT TO:<pt4r_nobody\@mx.test.example>\r\n",
    "RCPT TO:<info+x\@virt.example>\r\n",
    "RSET\r\n", "QUIT\r\n");
like($r[3], qr/^250 /, 'alias-only recipient accepted') or diag($r[3]);
like($r[4], qr/^250 /, 'user+ext accepted');
like($r[5], qr/^550 5\.1\.1 <nobody\@virt\.example>: Recipient address rejected: User unknown in virtual alias table/,
    'unknown recipient in a virtual alias domain: 550');
like($r[6], qr/^550 5\.1\.1 <pt4r_nobody\@mx\.test\.example>: Recipient address rejected: User unknown in local recipient table/,
    'unknown local user: 550');
like($r[7], qr/^250 /, 'virtual alias with an extension accepted');

# a changed table is seen without restart
open my $fh, '>>', "$dir/virtual" or die;
print $fh "new\@virt.example pt4r_carol\n";
close $fh;
my $accepted = $t->wait_until(sub {
	my @x = $t->session("HELO client.example\r\n",
	    "MAIL FROM:<a\@client.example>\r\n",
	    "RCPT TO:<new\@virt.example>\r\n", "QUIT\r\n");
	return ($x[3] // '') =~ /^250 /;
}, 20);
ok($accepted, 'new table entry accepted by smtpd without restart');
ok($t->wait_log(qr{smtpd\[\d+\]: a lookup table changed: exiting}),
    'smtpd logged the table change');
is(send_mail('a@client.example', 'new@virt.example', 'fresh'), 0,
    'sent to the new entry');
ok(wait_mail('pt4r_carol', 'fresh'), 'new entry delivered by cleanup');

ok($t->wait_until(sub { !$t->queue_files }), 'queue empty');
done_testing;
