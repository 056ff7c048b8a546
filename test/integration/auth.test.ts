// /auth/ sign-up, log-in and log-out, and how credentials are presented.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const fresh = (() => {
  let n = 0;
  return () => {
    n += 1;
    const id = `${process.pid % 1000}`.padStart(3, '0') + `${n}`.padStart(7, '0');
    return { email: `auth${id}@example.com`, username: `auth${id}`, password: 'Sup3r-secret-pw', ph_num: id };
  };
})();

describe('POST /auth/signup/', () => {
  it('creates the account and answers the original shape with a 40-hex token and a session cookie', async () => {
    const body = fresh();
    const result = await request(server, 'POST', '/auth/signup/', { body });
    expect(result.status).toBe(201);
    expect(Object.keys(result.body)).toEqual(['response', 'data', 'token']);
    expect(result.body).toMatchObject({
      response: 'success',
      data: { email: body.email, username: body.username, ph_num: body.ph_num },
    });
    expect(result.body.token).toMatch(/^[0-9a-f]{40}$/);
    expect(result.headers.get('set-cookie')).toBe(`parley_session=${result.body.token}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Strict`);
  });

  it('accepts optional names, and JSON only (a form body is 415)', async () => {
    const body = { ...fresh(), first_name: 'Ada', last_name: 'Lovelace' };
    expect((await request(server, 'POST', '/auth/signup/', { form: body })).status).toBe(415);
    const result = await request(server, 'POST', '/auth/signup/', { body });
    expect(result.status).toBe(201);
  });

  it('refuses duplicates field by field', async () => {
    const first = fresh();
    await request(server, 'POST', '/auth/signup/', { body: first });
    const sameUsername = await request(server, 'POST', '/auth/signup/', { body: { ...fresh(), username: first.username } });
    expect(sameUsername).toMatchObject({ status: 400, body: { username: ['account with this username already exists.'] } });
    const sameEmail = await request(server, 'POST', '/auth/signup/', { body: { ...fresh(), email: first.email.toUpperCase() } });
    expect(sameEmail).toMatchObject({ status: 400, body: { email: ['account with this email already exists.'] } });
    const samePhone = await request(server, 'POST', '/auth/signup/', { body: { ...fresh(), ph_num: first.ph_num } });
    expect(samePhone).toMatchObject({ status: 400, body: { ph_num: ['account with this ph_num already exists.'] } });
  });

  it('names every bad or missing field at once', async () => {
    const result = await request(server, 'POST', '/auth/signup/', {
      body: { email: 'not-an-email', username: 'has space', password: 'x', ph_num: 'not-a-phone-number' },
    });
    expect(result.status).toBe(400);
    expect(Object.keys(result.body).sort()).toEqual(['email', 'password', 'ph_num', 'username']);
    const empty = await request(server, 'POST', '/auth/signup/', { body: {} });
    expect(empty.status).toBe(400);
    for (const field of ['email', 'username', 'password', 'ph_num']) expect(empty.body[field]).toEqual(['This field is required.']);
  });

  it('refuses phones that are not exactly ten digits and wrong-typed fields', async () => {
    for (const ph_num of ['123456789', '12345678901', '12345abcde']) {
      const result = await request(server, 'POST', '/auth/signup/', { body: { ...fresh(), ph_num } });
      expect(result.status).toBe(400);
      expect(result.body.ph_num).toBeDefined();
    }
    const numeric = await request(server, 'POST', '/auth/signup/', { body: { ...fresh(), ph_num: 1234567890 } });
    expect(numeric.status).toBe(400);
    expect(numeric.body.ph_num).toBeDefined();
  });

  it('answers malformed JSON, an oversize body and an unknown media type with a JSON 4xx', async () => {
    const malformed = await request(server, 'POST', '/auth/signup/', { raw: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/JSON/);
    const oversize = await request(server, 'POST', '/auth/signup/', { raw: JSON.stringify({ email: 'x'.repeat(2_000_000) }) });
    expect(oversize.status).toBe(413);
    expect(typeof oversize.body.detail).toBe('string');
    const xml = await request(server, 'POST', '/auth/signup/', { raw: '<a/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
  });
});

describe('POST /auth/login/', () => {
  it('logs in by username, email or phone, each time with a new token', async () => {
    const user = await signup(server);
    const tokens = new Set<string>([user.token]);
    for (const body of [{ username: user.username }, { email: user.email }, { ph_num: user.phone }]) {
      const result = await request(server, 'POST', '/auth/login/', { body: { ...body, password: user.password } });
      expect(result.status).toBe(200);
      expect(Object.keys(result.body)).toEqual(['token']);
      tokens.add(result.body.token);
    }
    expect(tokens.size).toBe(4);
  });

  it('refuses bad credentials with the original body', async () => {
    const user = await signup(server);
    const wrong = await request(server, 'POST', '/auth/login/', { body: { username: user.username, password: 'wrong-password' } });
    expect(wrong).toMatchObject({ status: 400, body: { non_field_errors: ['Unable to log in with provided credentials.'] } });
    const unknown = await request(server, 'POST', '/auth/login/', { body: { username: 'nobody-here', password: 'whatever1' } });
    expect(unknown.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
  });

  it('refuses a missing password, a missing identifier and wrong types', async () => {
    const missingPassword = await request(server, 'POST', '/auth/login/', { body: { username: 'x' } });
    expect(missingPassword).toMatchObject({ status: 400, body: { password: ['This field is required.'] } });
    const missingIdentifier = await request(server, 'POST', '/auth/login/', { body: { password: 'x' } });
    expect(missingIdentifier).toMatchObject({ status: 400, body: { username: ['This field is required.'] } });
    const wrongType = await request(server, 'POST', '/auth/login/', { body: { username: ['x'], password: 1 } });
    expect(wrongType.status).toBe(400);
    expect(Object.keys(wrongType.body).sort()).toEqual(['password', 'username']);
  });
});

describe('POST /auth/logout/', () => {
  it('revokes the presented token only', async () => {
    const user = await signup(server);
    const second = (await request(server, 'POST', '/auth/login/', { body: { username: user.username, password: user.password } })).body.token;
    const out = await request(server, 'POST', '/auth/logout/', { token: user.token });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const revoked = await request(server, 'PATCH', '/chat/info/active/', { token: user.token, body: { user_num: user.phone } });
    expect(revoked).toMatchObject({ status: 401, body: { detail: 'Invalid token.' } });
    const stillGood = await request(server, 'PATCH', '/chat/info/active/', { token: second, body: { user_num: user.phone } });
    expect(stillGood.status).toBe(200);
  });

  it('needs credentials', async () => {
    const result = await request(server, 'POST', '/auth/logout/');
    expect(result).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
  });
});

describe('credentials', () => {
  it('answers a bad Authorization header with 401 Invalid token', async () => {
    for (const token of ['bogus', 'f'.repeat(40)]) {
      const result = await request(server, 'PATCH', '/chat/info/active/', { token, body: { user_num: '1111111111' } });
      expect(result).toMatchObject({ status: 401, body: { detail: 'Invalid token.' } });
    }
  });

  it('accepts the session cookie in place of the header', async () => {
    const user = await signup(server);
    const result = await request(server, 'PATCH', '/chat/info/active/', {
      headers: { cookie: `parley_session=${user.token}`, origin: server.url },
      body: { user_num: user.phone },
    });
    expect(result.status).toBe(200);
  });

  it('knows nothing of the loginData lookup, which disclosed accounts to anyone', async () => {
    const result = await request(server, 'POST', '/auth/loginData/', { body: { ph_num: '1111111111' } });
    expect(result.status).toBe(404);
  });
});

describe('GET /healthz', () => {
  it('answers 200 once the store is open', async () => {
    expect(await request(server, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});
