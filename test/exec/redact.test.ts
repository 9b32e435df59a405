import t from 'tap'
import { isSecretName, redactDeep, redactSecrets } from '../../src/exec/redact.js'

// Well-known example credentials from vendor documentation, and fake tokens of the right shape.
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const GH_TOKEN = `ghp_${'a1B2'.repeat(9)}`
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'

t.test('AWS access key ids are redacted, temporary ones too', async t => {
  t.equal(redactSecrets(`key ${AWS_KEY_ID} end`), 'key [REDACTED:aws_access_key_id] end')
  t.equal(redactSecrets('ASIAY34FZKBOKMUTVV7A'), '[REDACTED:aws_access_key_id]')
  t.equal(redactSecrets(`"AccessKeyId": "${AWS_KEY_ID}"`), '"AccessKeyId": "[REDACTED:aws_access_key_id]"')
})

t.test('a word that merely starts like an AWS key id is kept', async t => {
  t.equal(redactSecrets('AKIA is a prefix'), 'AKIA is a prefix')
  t.equal(redactSecrets('XAKIAIOSFODNN7EXAMPLEX'), 'XAKIAIOSFODNN7EXAMPLEX')
})

t.test('AWS secret access keys in credentials-file, env and JSON forms keep their name', async t => {
  t.equal(redactSecrets(`aws_secret_access_key = ${AWS_SECRET}`), 'aws_secret_access_key = [REDACTED:aws_secret_access_key]')
  t.equal(redactSecrets(`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`), 'AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_access_key]')
  t.equal(redactSecrets(`"SecretAccessKey": "${AWS_SECRET}",`), '"SecretAccessKey": "[REDACTED:aws_secret_access_key]",')
  t.notMatch(redactSecrets(`[default]\naws_access_key_id=${AWS_KEY_ID}\naws_secret_access_key=${AWS_SECRET}\n`), /EXAMPLE/)
})

t.test('PEM private key blocks are redacted whole, public material is not', async t => {
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----'
  t.equal(redactSecrets(`before\n${pem}\nafter`), 'before\n[REDACTED:private_key]\nafter')
  t.equal(redactSecrets('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----'), '[REDACTED:private_key]')
  t.equal(redactSecrets('-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n'), '[REDACTED:private_key]\\n', 'JSON-escaped newlines')
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
  t.equal(redactSecrets(cert), cert)
})

t.test('a private key cut off by the output cap is redacted to the end', async t => {
  t.equal(redactSecrets('ok\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIr'), 'ok\n[REDACTED:private_key]')
})

t.test('Authorization headers keep the header and scheme, lose the credential', async t => {
  t.equal(redactSecrets('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [REDACTED:authorization]')
  t.equal(redactSecrets('curl -H "Authorization: Basic dXNlcjpwYXNz" x'), 'curl -H "Authorization: Basic [REDACTED:authorization]" x')
  t.equal(redactSecrets('authorization=tok123'), 'authorization=[REDACTED:authorization]')
})

t.test('a bare Bearer token is redacted; a short word after Bearer is not', async t => {
  t.equal(redactSecrets('use Bearer sk-12345678abcd now'), 'use Bearer [REDACTED:bearer_token] now')
  t.equal(redactSecrets('a Bearer token'), 'a Bearer token')
})

t.test('NAME_TOKEN, NAME_SECRET, NAME_PASSWORD, NAME_KEY assignments keep the name', async t => {
  t.equal(redactSecrets('export SLACK_BOT_TOKEN=abc123'), 'export SLACK_BOT_TOKEN=[REDACTED:secret]')
  t.equal(redactSecrets('CLIENT_SECRET=s3cr3t;'), 'CLIENT_SECRET=[REDACTED:secret];')
  t.equal(redactSecrets('DB_PASSWORD="hunter2 with space" next'), 'DB_PASSWORD="[REDACTED:secret]" next')
  t.equal(redactSecrets("STRIPE_API_KEY='sk_live_x'"), "STRIPE_API_KEY='[REDACTED:secret]'")
  t.equal(redactSecrets('SSH_KEY=abc'), 'SSH_KEY=[REDACTED:secret]')
  t.equal(redactSecrets('{"api_key": "k123", "name": "x"}'), '{"api_key": "[REDACTED:secret]", "name": "x"}')
  t.equal(redactSecrets('db_password: hunter2'), 'db_password: [REDACTED:secret]')
  t.equal(redactSecrets('mysql --password=pw1 --token tk2 -u root'), 'mysql --password=[REDACTED:secret] --token [REDACTED:secret] -u root')
})

t.test('names that only contain a credential word, and empty values, are kept', async t => {
  t.equal(redactSecrets('max_tokens=100 tokens=5 monkey=3 keyboard=us'), 'max_tokens=100 tokens=5 monkey=3 keyboard=us')
  t.equal(redactSecrets('PASSWORD=\nnext'), 'PASSWORD=\nnext')
  t.equal(redactSecrets('PASSWORD="" next'), 'PASSWORD="" next')
})

t.test('GitHub, Slack and JWT tokens are redacted wherever they appear', async t => {
  t.equal(redactSecrets(`remote: ${GH_TOKEN}@github.com`), 'remote: [REDACTED:github_token]@github.com')
  t.equal(redactSecrets(`gho_${'x'.repeat(36)}`), '[REDACTED:github_token]')
  t.equal(redactSecrets(`github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz`), '[REDACTED:github_token]')
  t.equal(redactSecrets('xoxb-123456789012-abcdefABCDEF'), '[REDACTED:slack_token]')
  t.equal(redactSecrets(`token: ${JWT}`), 'token: [REDACTED:jwt]')
  t.equal(redactSecrets(`GITHUB_TOKEN=${GH_TOKEN}`), 'GITHUB_TOKEN=[REDACTED:github_token]', 'the specific kind wins')
})

t.test('git SHAs, sha256 digests and UUIDs are not secrets', async t => {
  const texts = [
    'commit 3f786850e387550fdab836ed7e6dc881de23001b',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -',
    'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'id 123e4567-e89b-12d3-a456-426614174000',
    'plain output, 42 lines, exit 0',
  ]
  for (const text of texts) t.equal(redactSecrets(text), text)
})

t.test('redactDeep redacts strings inside objects and arrays and values under secret keys', async t => {
  const input = { a: [AWS_KEY_ID, 1, null, true], password: 'hunter2', nested: { token: 5, note: 'fine', list: [{ client_secret: 'x' }] } }
  t.same(redactDeep(input), {
    a: ['[REDACTED:aws_access_key_id]', 1, null, true],
    password: '[REDACTED:secret]',
    nested: { token: '[REDACTED:secret]', note: 'fine', list: [{ client_secret: '[REDACTED:secret]' }] },
  })
  t.equal(input.password, 'hunter2', 'the input is not modified')
})

t.test('redactDeep survives cycles and keeps shared values', async t => {
  const shared = { v: 'ok' }
  const cyclic: Record<string, unknown> = { shared, again: shared }
  cyclic.self = cyclic
  t.same(redactDeep(cyclic), { shared: { v: 'ok' }, again: { v: 'ok' }, self: '[Circular]' })
})

t.test('isSecretName recognizes credential-like names only', async t => {
  for (const n of ['API_KEY', 'db_password', 'GITHUB_TOKEN', 'clientSecret', 'aws_secret_access_key']) t.ok(isSecretName(n), n)
  for (const n of ['tokens', 'monkey', 'name', 'token_count', 'keyboard']) t.notOk(isSecretName(n), n)
})
