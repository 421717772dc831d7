#!/usr/bin/perl
# 33-queue-batch.t - many messages for one Maildir go in batches
#
# Scenario: pt_dave's Maildir is broken (a file where new/ should be), so
# twenty messages for him are deferred. Once it is repaired they all come
# due at the same retry, and qmgr hands them to local in batches
# (util/proto.h): every message arrives once, each in its own file with
# its own content, each with its own "status=sent" log line, and fewer
# delivery processes than messages wrote them (the pid is in a Maildir
# file's name).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use File::Path qw(remove_tree make_path);

my $n = 20;
my $t = PosternTest->new(main => { minimal_backoff_time => '1s',
    maximal_backoff_time => '2s', queue_run_delay => '1s' });
my $home = $t->user('pt_dave');
remove_tree("$home/Maildir/new");
open my $f, '>', "$home/Maildir/new" or die;	# a file, not a directory
close $f;
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $script = "EHLO x\r\n";
$script .= "MAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_dave\@localhost>\r\n"
    . "DATA\r\nSubject: batch $_\r\n\r\nbody of message $_\r\n.\r\n"
    for 1 .. $n;
my $out = $t->smtp("${script}QUIT\r\n");
my @ids = $out =~ /queued as ([0-9A-F]+)/g;
is(scalar @ids, $n, "$n messages queued");
ok($t->wait_until(sub {
	my $log = $t->log_text;
	my @d = $log =~ /to=<pt_dave\@localhost>, relay=local, .*status=deferred/g;
	@d >= $n }, 30), 'all deferred while the Maildir is broken');
unlink "$home/Maildir/new";
make_path("$home/Maildir/new");
system('chown', '-R', 'pt_dave:', "$home/Maildir");
my @got = $t->wait_files("$home/Maildir/new", $n, 30);
is(scalar @got, $n, 'all delivered on retry');
my (%body, %pid);
for my $file (@got) {
	my $text = PosternTest::slurp($file) // "";
	$body{$1}++ if $text =~ /^body of message (\d+)$/m;
	$pid{$1}++ if $file =~ /\.M\d+P(\d+)Q/;
}
is(scalar(keys %body), $n, 'each message in its own file, none twice');
ok(scalar(keys %pid) < $n, 'written by ' . scalar(keys %pid)
    . " delivery processes for $n messages: batched");
ok($t->wait_until(sub { !$t->queue_files }, 10), 'queue empty');
my $log = $t->log_text;
for my $id (@ids) {
	my @sent = $log =~ /$id: to=<pt_dave\@localhost>, relay=local, .*status=sent/g;
	is(scalar @sent, 1, "$id: one status=sent line");
}
done_testing;
