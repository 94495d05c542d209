import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPasswordHasher } from '../security/passwords.js';
import { createSessionManager } from '../security/sessions.js';
import { createSessionStore, createUserStore, openDatabase } from '../storage/index.js';
import { runUserCommand, type UserCommandIo } from './user-command.js';

const MAIN = join(import.meta.dirname, 'main.ts');
const GOOD = 'violet-tractor-sings-42';
const OTHER = 'orchid-lantern-rivers';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempUserDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redoubt-user-cli-'));
  dirs.push(dir);
  return dir;
}

/** Runs the real CLI as a process: `node --import tsx src/cli/main.ts user ...`. */
function redoubt(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'user', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function readUsers(userDir: string) {
  const db = openDatabase(join(userDir, 'redoubt.db'));
  try {
    return createUserStore(db).list();
  } finally {
    db.close();
  }
}

function auditEvents(userDir: string): { event: string; details: string }[] {
  const db = openDatabase(join(userDir, 'redoubt.db'));
  try {
    return db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as { event: string; details: string }[];
  } finally {
    db.close();
  }
}

describe('redoubt user (spawned)', () => {
  it('adds a user with the password from stdin, hashed with scrypt, and audits it', async () => {
    const dir = tempUserDir();
    const result = await redoubt(['add', 'ann', '--role', 'admin', '--password-stdin', '--user-dir', dir], `${GOOD}\n`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /added ann \(admin\)/);
    const [ann] = readUsers(dir);
    assert.equal(ann?.username, 'ann');
    assert.equal(ann?.role, 'admin');
    assert.match(ann?.passwordHash ?? '', /^scrypt\$/);
    assert.deepEqual((await createPasswordHasher().verify(GOOD, ann?.passwordHash ?? '')).ok, true, 'the trailing newline is not part of it');
    const events = auditEvents(dir);
    assert.deepEqual(events.map((e) => e.event), ['user.create']);
    assert.ok(!JSON.stringify(events).includes(GOOD));
  });

  it('refuses a password from argv, creating nothing', async () => {
    const dir = tempUserDir();
    for (const args of [['--password', GOOD], [`--password=${GOOD}`]]) {
      const result = await redoubt(['add', 'ann', '--role', 'admin', ...args, '--user-dir', dir]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /never read from the command line/);
      assert.ok(!result.stderr.includes(GOOD));
    }
    assert.equal(existsSync(join(dir, 'redoubt.db')), false);
  });

  it('refuses a weak password with every reason, creating nothing', async () => {
    const dir = tempUserDir();
    const result = await redoubt(['add', 'password', '--role', 'editor', '--password-stdin', '--user-dir', dir], 'password\n');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /at least 12 characters/);
    assert.match(result.stderr, /too common/);
    assert.match(result.stderr, /user name/);
    assert.deepEqual(readUsers(dir), []);
  });

  it('refuses without a terminal or --password-stdin, a missing or unknown role, and a duplicate', async () => {
    const dir = tempUserDir();
    const noTty = await redoubt(['add', 'ann', '--role', 'admin', '--user-dir', dir]);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /--password-stdin/);
    const noRole = await redoubt(['add', 'ann', '--password-stdin', '--user-dir', dir], GOOD);
    assert.equal(noRole.code, 2);
    assert.match(noRole.stderr, /--role is required/);
    const badRole = await redoubt(['add', 'ann', '--role', 'root', '--password-stdin', '--user-dir', dir], GOOD);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /unknown role 'root'; roles are viewer, operator, editor, admin/);
    assert.equal((await redoubt(['add', 'ann', '--role', 'admin', '--password-stdin', '--user-dir', dir], GOOD)).code, 0);
    const dup = await redoubt(['add', 'ANN', '--role', 'viewer', '--password-stdin', '--user-dir', dir], OTHER);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    assert.equal(readUsers(dir).length, 1);
  });

  it('lists, changes a role, changes a password and removes, ending the user\'s sessions each time', async () => {
    const dir = tempUserDir();
    assert.equal((await redoubt(['add', 'ann', '--role', 'admin', '--password-stdin', '--user-dir', dir], GOOD)).code, 0);
    assert.equal((await redoubt(['add', 'bob', '--role', 'editor', '--password-stdin', '--user-dir', dir], OTHER)).code, 0);

    const list = await redoubt(['list', '--user-dir', dir]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /ann\s+admin/);
    assert.match(list.stdout, /bob\s+editor/);
    assert.ok(!list.stdout.includes('scrypt'));
    const json = JSON.parse((await redoubt(['list', '--json', '--user-dir', dir])).stdout) as { username: string; role: string }[];
    assert.deepEqual(json.map((u) => [u.username, u.role]), [['ann', 'admin'], ['bob', 'editor']]);

    // A session as the running server would hold it, in the same database.
    const session = () => {
      const db = openDatabase(join(dir, 'redoubt.db'));
      try {
        const sessions = createSessionManager({}, { store: createSessionStore(db), clock: { now: Date.now } });
        return sessions.create({ username: 'bob', role: 'editor' }).token;
      } finally {
        db.close();
      }
    };
    const isLive = (token: string) => {
      const db = openDatabase(join(dir, 'redoubt.db'));
      try {
        return createSessionManager({}, { store: createSessionStore(db), clock: { now: Date.now } }).verify(token) !== undefined;
      } finally {
        db.close();
      }
    };

    let token = session();
    const role = await redoubt(['role', 'bob', 'viewer', '--user-dir', dir]);
    assert.equal(role.code, 0, role.stderr);
    assert.equal(readUsers(dir).find((u) => u.username === 'bob')?.role, 'viewer');
    assert.equal(isLive(token), false);

    token = session();
    const before = readUsers(dir).find((u) => u.username === 'bob')?.passwordHash;
    const passwd = await redoubt(['passwd', 'bob', '--password-stdin', '--user-dir', dir], 'copper-kettle-whistles\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    const after = readUsers(dir).find((u) => u.username === 'bob')?.passwordHash ?? '';
    assert.notEqual(after, before);
    assert.equal((await createPasswordHasher().verify('copper-kettle-whistles', after)).ok, true);
    assert.equal(isLive(token), false);

    token = session();
    const removed = await redoubt(['remove', 'bob', '--user-dir', dir]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(readUsers(dir).map((u) => u.username), ['ann']);
    assert.equal(isLive(token), false);

    assert.deepEqual(auditEvents(dir).map((e) => e.event), ['user.create', 'user.create', 'user.role', 'user.password', 'user.remove']);
  });

  it('refuses to remove or demote the last admin, and names a missing user', async () => {
    const dir = tempUserDir();
    assert.equal((await redoubt(['add', 'ann', '--role', 'admin', '--password-stdin', '--user-dir', dir], GOOD)).code, 0);
    const remove = await redoubt(['remove', 'ann', '--user-dir', dir]);
    assert.equal(remove.code, 1);
    assert.match(remove.stderr, /only admin/);
    const demote = await redoubt(['role', 'ann', 'viewer', '--user-dir', dir]);
    assert.equal(demote.code, 1);
    const missing = await redoubt(['remove', 'zed', '--user-dir', dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /user 'zed' not found/);
    assert.equal(readUsers(dir)[0]?.role, 'admin');
  });
});

/** Drives the CLI through a pseudo-terminal (Python's pty; Node has none built in). */
const PTY_DRIVER = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
def until(marker):
    global out
    end = time.time() + 60
    while marker not in out and time.time() < end:
        try: out += os.read(fd, 1024)
        except OSError: return
for prompt in (b'Password: ', b'Repeat the password: '):
    until(prompt)
    os.write(fd, sys.stdin.buffer.readline().rstrip(b'\\n') + b'\\r')
until(b'(editor)')
sys.stdout.buffer.write(out)
`;

function hasPython(): boolean {
  return spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
}

describe('redoubt user on a terminal', () => {
  it('prompts twice and never echoes the password', { skip: !hasPython() && 'python3 with pty is not installed' }, () => {
    const dir = tempUserDir();
    const run = spawnSync('python3', ['-c', PTY_DRIVER, process.execPath, '--import', 'tsx', MAIN, 'user', 'add', 'ann', '--role', 'editor', '--user-dir', dir], {
      input: `${GOOD}\n${GOOD}\n`,
      encoding: 'utf8',
    });
    assert.match(run.stdout, /Password: /);
    assert.match(run.stdout, /added ann \(editor\)/);
    assert.ok(!run.stdout.includes(GOOD), 'the password was echoed');
    assert.equal(readUsers(dir)[0]?.role, 'editor');
  });
});

describe('runUserCommand (in process, with a prompt)', () => {
  function io(answers: string[]): UserCommandIo & { errors: string[] } {
    const errors: string[] = [];
    return {
      errors,
      out: () => undefined,
      err: (t) => void errors.push(t),
      env: {},
      readStdin: async () => {
        throw new Error('stdin is not read when prompting');
      },
      promptHidden: async () => answers.shift() ?? '',
    };
  }

  it('asks twice and adds the user when both answers match', async () => {
    const dir = tempUserDir();
    const code = await runUserCommand(['add', 'ann', '--role', 'operator', '--user-dir', dir], io([GOOD, GOOD]));
    assert.equal(code, 0);
    assert.equal(readUsers(dir)[0]?.role, 'operator');
  });

  it('changes nothing when the two answers differ', async () => {
    const dir = tempUserDir();
    const terminal = io([GOOD, OTHER]);
    const code = await runUserCommand(['add', 'ann', '--role', 'operator', '--user-dir', dir], terminal);
    assert.equal(code, 1);
    assert.match(terminal.errors.join(''), /differ/);
    assert.deepEqual(readUsers(dir), []);
  });

  it('says so when the user directory has no database, without creating one', async () => {
    const dir = tempUserDir();
    const terminal = io([]);
    assert.equal(await runUserCommand(['list', '--user-dir', dir], terminal), 1);
    assert.match(terminal.errors.join(''), /does not exist/);
    assert.equal(existsSync(join(dir, 'redoubt.db')), false);
  });

  it('answers usage errors with exit code 2', async () => {
    const dir = tempUserDir();
    assert.equal(await runUserCommand(['frobnicate', '--user-dir', dir], io([])), 2);
    assert.equal(await runUserCommand(['role', 'ann', '--user-dir', dir], io([])), 2);
    assert.equal(await runUserCommand(['list', '--bogus', '--user-dir', dir], io([])), 2);
    assert.equal(await runUserCommand(['add', 'ann', '--role', 'admin', '-p', GOOD, '--user-dir', dir], io([])), 2);
  });
});
