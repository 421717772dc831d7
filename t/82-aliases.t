#!/usr/bin/perl
# 82-aliases.t - aliases, .forward, commands, files, virtual mailboxes
#
# Scenario (root): an instance with recipient_delimiter = +, alias_maps a
# hash: table built by `postern map` (and, in a second instance, the same
# source as texthash:), local_recipient_maps empty, a virtual mailbox
# domain virt.example with static uid/gid 4321 under a base directory.
# Users pt4al_a, pt4al_b, pt4al_c (whose .forward sends to pt4al_d, keeps
# a copy and runs a command as pt4al_c), pt4al_d. Mail over SMTP to:
#   single (-> a), list (-> a, b; owner-list exists), nested (-> list2 ->
#   single, b), loop1 (<-> loop2), inc (:include: -> b), missing (a
#   missing :include:), cmd (|command as nobody, env checked), file
#   (/file as nobody), pt4al_c (.forward), pt4al_a+tag, postmaster,
#   alice@virt.example, tovirt (-> alice@virt.example, resubmitted), and
#   pt4al_b with a Delivered-To: pt4al_b@... header already (a loop),
#   then an alias added to the table (rebuilt) while postern runs.
# Must follow: the Maildirs/files get the mail with the right
# Delivered-To and Return-Path; loop1 and the Delivered-To loop log
# status=bounced with dsn=5.4.6; missing logs status=deferred naming the
# file; the command's environment is exactly the clean one; the new
# alias works without a restart.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use PosternTest;

plan skip_all => 'needs root' if $> != 0;

my @users = qw(pt4al_a pt4al_b pt4al_c pt4al_d);

sub setup {
	my ($type) = @_;
	my $t = PosternTest->new(main => {
		recipient_delimiter => '+',
		local_recipient_maps => '',
		virtual_mailbox_domains => 'virt.example',
		virtual_uid_maps => 'static:4321',
		virtual_gid_maps => 'static:4321',
	});
	my $d = $t->{dir};
	my $out = "$d/out";
	mkdir $out; chmod 01777, $out;
	mkdir "$d/vmail"; system('chown', '4321:4321', "$d/vmail");
	chmod 0755, $d;
	$t->user($_) for @users;
	open my $inc, '>', "$d/inc.txt" or die; print $inc "# members\npt4al_b\n";
	close $inc; chmod 0644, "$d/inc.txt";
	open my $a, '>', "$d/aliases" or die;
	print $a <<EOF;
postmaster pt4al_a
single pt4al_a
list pt4al_a, pt4al_b
owner-list pt4al_d
nested list2
list2 single, pt4al_b
loop1 loop2
loop2 loop1
inc :include:$d/inc.txt
missing :include:$d/no-such-file
cmd "|env > $out/cmd.env; cat > $out/cmd.msg; id -un > $out/cmd.id"
file $out/file.mbox
tovirt alice\@virt.example
EOF
	close $a;
	open my $v, '>', "$d/vmailbox" or die;
	print $v "alice\@virt.example virt.example/alice/\n";
	close $v;
	my $home = "$PosternTest::HOMES/pt4al_c";
	open my $f, '>', "$home/.forward" or die;
	print $f "pt4al_d, \\pt4al_c, \"|id -un > $out/fwd.id\"\n";
	close $f;
	system('chown', 'pt4al_c:', "$home/.forward"); chmod 0644, "$home/.forward";
	my $maps = "$type:$d/aliases";
	if ($type eq 'hash') {
		my ($rc, $o) = $t->postern('map', "hash:$d/aliases");
		is($rc, 0, 'postern map built the aliases') or diag($o);
	}
	open my $m, '>>', "$t->{conf}/main.cf" or die;
	print $m "alias_maps = $maps\nvirtual_mailbox_maps = texthash:$d/vmailbox\n";
	print $m "virtual_mailbox_base = $d/vmail\n";
	close $m;
	ok($t->start, "started with $type aliases") or BAIL_OUT('cannot start');
	return $t;
}

sub send_to {
	my ($t, $rcpt, %o) = @_;
	my $hdr = $o{header} // '';
	my $out = $t->smtp("EHLO x\r\nMAIL FROM:<sender\@client.example>\r\n"
	    . "RCPT TO:<$rcpt>\r\nDATA\r\n${hdr}Subject: to $rcpt\r\n\r\nbody for $rcpt\r\n.\r\nQUIT\r\n");
	like($out, qr/queued as/, "accepted mail to $rcpt");
}

sub grep_dir {
	my ($dir, $re) = @_;
	return grep { (PosternTest::slurp($_) // '') =~ $re } PosternTest::files_in($dir);
}

sub wait_msg {
	my ($t, $user, $re) = @_;
	my $dir = $t->maildir_new($user);
	$t->wait_until(sub { grep_dir($dir, $re) > 0 }, 20);
	return (grep_dir($dir, $re))[0];
}

for my $type (qw(hash texthash)) {
	my $t = setup($type);
	my $d = $t->{dir};
	my $out = "$d/out";
	my $dom = 'mx.test.example';

	send_to($t, "single\@$dom");
	my $f = wait_msg($t, 'pt4al_a', qr/body for single/);
	ok($f, "$type: alias to a user");
	like(PosternTest::slurp($f) // '', qr/^Delivered-To: single\@$dom$/m,
	    'Delivered-To names the alias');

	send_to($t, "list\@$dom");
	ok(wait_msg($t, 'pt4al_a', qr/body for list/), 'list member a');
	$f = wait_msg($t, 'pt4al_b', qr/body for list/);
	ok($f, 'list member b');
	like(PosternTest::slurp($f) // '', qr/^Return-Path: <owner-list\@$dom>$/m,
	    'owner-list is the sender of the list deliveries');

	send_to($t, "nested\@$dom");
	ok(wait_msg($t, 'pt4al_a', qr/body for nested/), 'nested alias to a');
	ok(wait_msg($t, 'pt4al_b', qr/body for nested/), 'nested alias to b');

	send_to($t, "loop1\@$dom");
	ok($t->wait_log(qr/to=<loop1\@$dom>.*dsn=5\.4\.6, status=bounced/),
	    'alias loop bounced 5.4.6');

	send_to($t, "inc\@$dom");
	ok(wait_msg($t, 'pt4al_b', qr/body for inc/), ':include: file');

	send_to($t, "missing\@$dom");
	ok($t->wait_log(qr/to=<missing\@$dom>.*status=deferred \(cannot read :include: file \S*no-such-file/),
	    'missing :include: deferred with the file named');

	send_to($t, "cmd\@$dom");
	$t->wait_until(sub { -s "$out/cmd.id" }, 20);
	is(PosternTest::slurp("$out/cmd.id"), "nobody\n", 'command ran as nobody');
	my $env = PosternTest::slurp("$out/cmd.env") // '';
	my %env = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /\n/, $env;
	delete $env{PWD}; delete $env{SHLVL}; delete $env{_};
	is_deeply([sort keys %env], [sort qw(HOME USER LOGNAME SHELL PATH
	    SENDER RECIPIENT EXTENSION LOCAL DOMAIN)], 'clean environment')
	    or diag($env);
	is($env{PATH}, '/usr/bin:/bin', 'PATH');
	is($env{USER}, 'nobody', 'USER');
	is($env{RECIPIENT}, "cmd\@$dom", 'RECIPIENT');
	is($env{SENDER}, 'sender@client.example', 'SENDER');
	like(PosternTest::slurp("$out/cmd.msg") // '',
	    qr/\AReturn-Path: <sender\@client.example>\nDelivered-To: cmd\@$dom\n.*body for cmd/s,
	    'the command read the message with Return-Path and Delivered-To');

	send_to($t, "file\@$dom");
	$t->wait_until(sub { (PosternTest::slurp("$out/file.mbox") // '') =~ /body for file/ }, 20);
	my $mbox = PosternTest::slurp("$out/file.mbox") // '';
	like($mbox, qr/\AFrom sender\@client.example .*body for file/s, '/file alias in mbox format');
	is((stat "$out/file.mbox")[4], scalar getpwnam('nobody'), 'file written as nobody');

	send_to($t, "pt4al_c\@$dom");
	ok(wait_msg($t, 'pt4al_d', qr/body for pt4al_c/), '.forward to another user');
	ok(wait_msg($t, 'pt4al_c', qr/body for pt4al_c/), '.forward \\user keeps a copy');
	$t->wait_until(sub { -s "$out/fwd.id" }, 20);
	is(PosternTest::slurp("$out/fwd.id"), "pt4al_c\n", '.forward command ran as the user');

	send_to($t, "pt4al_a+tag\@$dom");
	$f = wait_msg($t, 'pt4al_a', qr/body for pt4al_a\+tag/);
	ok($f, 'user+tag delivered to user');
	like(PosternTest::slurp($f) // '', qr/^Delivered-To: pt4al_a\+tag\@$dom$/m,
	    'Delivered-To keeps the tag');

	send_to($t, "postmaster\@$dom");
	ok(wait_msg($t, 'pt4al_a', qr/body for postmaster/), 'postmaster delivered');

	my $vdir = "$d/vmail/virt.example/alice/new";
	send_to($t, 'alice@virt.example');
	$t->wait_files($vdir, 1);
	my @v = PosternTest::files_in($vdir);
	is(scalar @v, 1, 'virtual mailbox delivery');
	is((stat $v[0])[4], 4321, 'virtual mailbox written with the static uid') if @v;

	send_to($t, "tovirt\@$dom");
	$t->wait_files($vdir, 2);
	@v = grep_dir($vdir, qr/body for tovirt/);
	ok(@v, 'alias to another domain resubmitted through cleanup');
	like(PosternTest::slurp($v[0]) // '', qr/Delivered-To: alice\@virt.example\n(?:.*\n)*?Delivered-To: tovirt\@$dom\n/,
	    'the forwarded copy keeps the first Delivered-To') if @v;
	ok($t->log_text =~ /to=<alice\@virt.example>, orig_to=<tovirt\@$dom>.*status=sent \(forwarded as [0-9A-F]+\)/,
	    'forwarding logged with the new queue ID');

	send_to($t, "pt4al_b\@$dom", header => "Delivered-To: pt4al_b\@$dom\r\n");
	ok($t->wait_log(qr/to=<pt4al_b\@$dom>.*dsn=5\.4\.6, status=bounced \(mail forwarding loop/),
	    'Delivered-To loop bounced 5.4.6');
	# a rebuilt table is used without a restart
	open my $a, '>>', "$d/aliases" or die;
	print $a "newalias pt4al_b\n";
	close $a;
	if ($type eq 'hash') {
		my ($rc, $o) = $t->postern('map', "hash:$d/aliases");
		is($rc, 0, 'postern map rebuilt the aliases') or diag($o);
	}
	send_to($t, "pt4al_d\@$dom");	# the request after which local exits
	ok(wait_msg($t, 'pt4al_d', qr/body for pt4al_d/), 'delivery after the change');
	send_to($t, "newalias\@$dom");
	ok(wait_msg($t, 'pt4al_b', qr/body for newalias/), 'new alias seen without restart');
	$t->stop;
}
done_testing;
