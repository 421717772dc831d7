#!/usr/bin/perl
# 32-queue-defer.t - a temporary failure is retried, and then delivered
#
# Scenario: pt_carol's Maildir is made unwritable (a file where new/ should
# be). The message is deferred: it moves to deferred/, the log says
# status=deferred, defer/ID holds the reason. After the Maildir is repaired
# the retry (minimal_backoff_time = 1s, queue_run_delay = 1s) delivers it
# and the queue empties.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;
use File::Path qw(remove_tree make_path);

my $t = PosternTest->new(main => { minimal_backoff_time => '1s',
    maximal_backoff_time => '2s', queue_run_delay => '1s' });
my $home = $t->user('pt_carol');
remove_tree("$home/Maildir/new");
open my $f, '>', "$home/Maildir/new" or die;	# a file, not a directory
close $f;
ok($t->start, 'started') or BAIL_OUT('cannot start');
my $out = $t->smtp("EHLO x\r\nMAIL FROM:<a\@client.example>\r\nRCPT TO:<pt_carol\@localhost>\r\nDATA\r\nSubject: later\r\n\r\nx\r\n.\r\nQUIT\r\n");
my ($id) = $out =~ /queued as ([0-9A-F]+)/;
ok($id, 'queued');
ok($t->wait_log(qr/$id: to=<pt_carol\@localhost>, relay=local, .*status=deferred/), 'deferred and logged');
ok($t->wait_until(sub { -e "$t->{queue}/deferred/$id" }, 10), 'file in deferred/');
ok(-s "$t->{queue}/defer/$id", 'defer/ID holds the reason');
unlink "$home/Maildir/new";
make_path("$home/Maildir/new");
system('chown', '-R', 'pt_carol:', "$home/Maildir");
my @got = $t->wait_files("$home/Maildir/new", 1, 30);
is(scalar @got, 1, 'delivered on retry');
ok($t->wait_until(sub { !$t->queue_files && !-e "$t->{queue}/defer/$id" }, 10),
    'queue and defer log empty');
done_testing;
