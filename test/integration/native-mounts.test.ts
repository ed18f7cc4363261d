/**
 * The addon's mounts and file helpers against the real kernel. Mounts and trusted.* xattrs need
 * root and skip with the reason otherwise; fifo, user.* xattr, symlink owner/time checks run anywhere.
 * Every scratch directory is named berth-test-… so ../shared/tools/leakcheck sees a leaked mount.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

import { loadNative } from '../../drivers/native/addon.js';
import { probes } from '../helpers/probes.js';

const native = loadNative();

/** A scratch dir whose mounts are detached, then the dir removed, when the test ends. */
function scratch(t: Test): { dir: string; mounted: (target: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-test-${process.pid}-`));
  const mounts: string[] = [];
  t.teardown(() => {
    for (const target of mounts.reverse()) {
      if (native.isMountpoint(target)) native.unmount(target, { detach: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    mounted: (target) => {
      mounts.push(target);
      return target;
    },
  };
}

function mkdirs(root: string, ...names: string[]): string[] {
  return names.map((name) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  });
}

t.test('overlay of two lowers and an upper', { skip: probes.root() }, async (t) => {
  const { dir, mounted } = scratch(t);
  const [l1, l2, upper, work, merged] = mkdirs(dir, 'l1', 'l2', 'upper', 'work', 'merged');
  fs.writeFileSync(path.join(l1, 'shared'), 'from l1');
  fs.writeFileSync(path.join(l2, 'shared'), 'from l2');
  fs.writeFileSync(path.join(l2, 'only-l2'), 'l2 file');

  native.mountOverlay(mounted(merged), { lowerdirs: [l1, l2], upperdir: upper, workdir: work });
  t.ok(native.isMountpoint(merged), 'merged is a mount point');
  t.equal(fs.readFileSync(path.join(merged, 'shared'), 'utf8'), 'from l1', 'the first lower is on top');
  t.equal(fs.readFileSync(path.join(merged, 'only-l2'), 'utf8'), 'l2 file', 'lower files show through');

  fs.writeFileSync(path.join(merged, 'new'), 'written');
  t.equal(fs.readFileSync(path.join(upper, 'new'), 'utf8'), 'written', 'writes land in upper');
  t.notOk(fs.existsSync(path.join(l1, 'new')), 'lowers stay untouched');

  native.unmount(merged);
  t.notOk(native.isMountpoint(merged), 'unmounted');
  t.same(fs.readdirSync(merged), [], 'the mount point is empty again');
});

t.test('a char 0/0 whiteout in upper hides a lower file', { skip: probes.root() }, async (t) => {
  const { dir, mounted } = scratch(t);
  const [lower, upper, work, merged] = mkdirs(dir, 'lower', 'upper', 'work', 'merged');
  fs.writeFileSync(path.join(lower, 'gone'), 'deleted in a later layer');
  fs.writeFileSync(path.join(lower, 'kept'), 'still here');
  native.mknod(path.join(upper, 'gone'), { type: 'char', major: 0, minor: 0, mode: 0 });
  const st = fs.lstatSync(path.join(upper, 'gone'));
  t.ok(st.isCharacterDevice(), 'the whiteout is a char device');
  t.equal(st.rdev, 0, 'with device number 0/0');

  native.mountOverlay(mounted(merged), { lowerdirs: [lower], upperdir: upper, workdir: work, readonly: true });
  t.same(fs.readdirSync(merged), ['kept'], 'the whited-out file is hidden');
  t.throws(() => fs.writeFileSync(path.join(merged, 'x'), ''), { code: 'EROFS' }, 'readonly mount');
  native.unmount(merged);
});

t.test('an opaque directory xattr hides the lower directory', { skip: probes.root() }, async (t) => {
  const { dir, mounted } = scratch(t);
  const [lower, upper, work, merged] = mkdirs(dir, 'lower/d', 'upper/d', 'work', 'merged');
  fs.writeFileSync(path.join(lower, 'old'), '');
  const opaque = 'trusted.overlay.opaque';
  native.lsetxattr(upper, opaque, Buffer.from('y'));
  t.same(native.lgetxattr(upper, opaque), Buffer.from('y'));
  t.ok(native.llistxattr(upper).includes(opaque), 'listed');
  native.mountOverlay(mounted(merged), {
    lowerdirs: [path.dirname(lower)],
    upperdir: path.dirname(upper),
    workdir: work,
  });
  t.same(fs.readdirSync(path.join(merged, 'd')), [], 'lower entries of an opaque dir are hidden');
  native.unmount(merged);
});

t.test('60 lowerdirs with long paths', { skip: probes.root() }, async (t) => {
  const { dir, mounted } = scratch(t);
  const long = 'layer-with-a-long-name-like-a-sha256-digest-'.padEnd(100, 'x');
  const lowers = Array.from({ length: 60 }, (_, i) => mkdirs(dir, `${long}-${i}/diff`)[0]);
  const [upper, work, merged] = mkdirs(dir, 'upper', 'work', 'merged');
  lowers.forEach((lower, i) => fs.writeFileSync(path.join(lower, `file-${i}`), String(i)));
  fs.writeFileSync(path.join(lowers[59], 'file-0'), 'shadowed');
  const legacy = `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`;
  t.ok(legacy.length > 4096, `classic mount data would be ${legacy.length} bytes, over one page`);

  native.mountOverlay(mounted(merged), { lowerdirs: lowers, upperdir: upper, workdir: work });
  t.equal(fs.readdirSync(merged).length, 60, 'every layer contributes its file');
  t.equal(fs.readFileSync(path.join(merged, 'file-0'), 'utf8'), '0', 'the top layer wins');
  t.equal(fs.readFileSync(path.join(merged, 'file-59'), 'utf8'), '59', 'the bottom layer is reachable');
  native.unmount(merged);
});

t.test('unmount of something that is not a mount point is EINVAL', { skip: probes.root() }, async (t) => {
  const { dir } = scratch(t);
  t.throws(() => native.unmount(dir), {
    code: 'EINVAL',
    errno: -22,
    syscall: 'umount2',
    path: dir,
    message: `unmount of '${dir}' failed: EINVAL: invalid argument, umount2 '${dir}'`,
  });
});

t.test('read-only recursive bind and tmpfs with options', { skip: probes.root() }, async (t) => {
  const { dir, mounted } = scratch(t);
  const [src, dst, tmp] = mkdirs(dir, 'src', 'dst', 'src/tmp');
  native.mountTmpfs(mounted(tmp), 'nosuid,nodev,size=1m,mode=0700');
  t.equal(fs.statSync(tmp).mode & 0o7777, 0o700, 'tmpfs data option applied');
  fs.writeFileSync(path.join(tmp, 'f'), 'in tmpfs');

  native.bindMount(src, mounted(dst), { readonly: true, recursive: true });
  t.ok(native.isMountpoint(dst), 'bound');
  t.equal(fs.readFileSync(path.join(dst, 'tmp', 'f'), 'utf8'), 'in tmpfs', 'submount carried by MS_REC');
  t.throws(() => fs.writeFileSync(path.join(dst, 'x'), ''), { code: 'EROFS' }, 'bind is read-only');
  t.throws(() => fs.writeFileSync(path.join(dst, 'tmp', 'x'), ''), { code: 'EROFS' }, 'submount too');
  fs.writeFileSync(path.join(src, 'x'), 'source stays writable');

  native.unmount(dst, { detach: true });
  t.notOk(native.isMountpoint(dst), 'bind detached');
  native.unmount(tmp);
});

t.test('mknod fifo gets its exact mode despite the umask', async (t) => {
  const { dir } = scratch(t);
  const fifo = path.join(dir, 'fifo');
  native.mknod(fifo, { type: 'fifo', mode: 0o666 });
  const st = fs.lstatSync(fifo);
  t.ok(st.isFIFO());
  t.equal(st.mode & 0o7777, 0o666, `umask ${process.umask().toString(8)} did not apply`);
  t.throws(() => native.mknod(fifo, { type: 'fifo', mode: 0o600 }), { code: 'EEXIST', syscall: 'mknod', path: fifo });
});

t.test('user xattrs on a real file; missing is null', async (t) => {
  const { dir } = scratch(t);
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, '');
  t.equal(native.lgetxattr(file, 'user.berth.none'), null);
  native.lsetxattr(file, 'user.berth.a', Buffer.from([0, 1, 2, 255]));
  native.lsetxattr(file, 'user.berth.empty', Buffer.alloc(0));
  t.same(native.lgetxattr(file, 'user.berth.a'), Buffer.from([0, 1, 2, 255]), 'binary-safe');
  t.same(native.lgetxattr(file, 'user.berth.empty'), Buffer.alloc(0), 'empty value is not null');
  t.same(native.llistxattr(file).filter((n) => n.startsWith('user.berth.')).sort(), ['user.berth.a', 'user.berth.empty']);
  const gone = path.join(dir, 'gone');
  t.throws(() => native.llistxattr(gone), { code: 'ENOENT', errno: -2, syscall: 'llistxattr', path: gone });
});

t.test('lchown and utimensNoFollow change the symlink, not its target', async (t) => {
  const { dir } = scratch(t);
  const target = path.join(dir, 'target');
  const link = path.join(dir, 'link');
  fs.writeFileSync(target, '');
  fs.symlinkSync(target, link);
  const before = fs.statSync(target, { bigint: true }).mtimeNs;
  native.utimensNoFollow(link, 1_000_000_000_123n, 1_700_000_000_123_456_789n);
  t.equal(fs.lstatSync(link, { bigint: true }).mtimeNs, 1_700_000_000_123_456_789n, 'nanoseconds kept');
  t.equal(fs.statSync(target, { bigint: true }).mtimeNs, before, 'target untouched');
  native.lchown(link, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  t.pass('lchown to our own ids');
});
