/**
 * Secret redaction for anything a process prints before it reaches an agent, an audit log or a
 * human console. Pure. Over-redacting prose is cheap; leaking one key is not.
 */

/** What a redaction marker names: `[REDACTED:<kind>]`. */
export type SecretKind =
  | 'private_key'
  | 'aws_access_key_id'
  | 'aws_secret_access_key'
  | 'authorization'
  | 'bearer_token'
  | 'github_token'
  | 'slack_token'
  | 'jwt'
  | 'secret'

const marker = (kind: SecretKind): string => `[REDACTED:${kind}]`

// Names that end like a credential: FOO_TOKEN, db_password, apiKey, AWS_SECRET_ACCESS_KEY, ...
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*(?:token|secret|password|passwd|passphrase|api_?key|access_?key|private_?key|_key|credentials?)`
const SECRET_NAME_RE = new RegExp(`^${SECRET_NAME}$`, 'i')
// An unquoted value stops at whitespace and shell/JSON punctuation.
const BARE_VALUE = String.raw`[^\s"'\x60,;&|<>(){}\[\]]+`

interface Rule {
  kind: SecretKind
  re: RegExp
  /** 'quoted': groups are (kept prefix, "value", 'value', bare value); 'bare': (kept prefix,
   * value). Without it the whole match becomes the marker. */
  keepPrefix?: 'quoted' | 'bare'
}

// The value after a kept prefix: "quoted", 'quoted' or bare.
const VALUE = String.raw`(?:"([^"\n]*)"|'([^'\n]*)'|(${BARE_VALUE}))`

const replaceBare =
  (kind: SecretKind) =>
  (match: string, prefix: string, value: string): string =>
    value.startsWith('[REDACTED:') ? match : `${prefix}${marker(kind)}`

const replaceQuoted =
  (kind: SecretKind) =>
  (match: string, prefix: string, dq: string | undefined, sq: string | undefined, bare: string | undefined): string => {
    const value = dq ?? sq ?? bare ?? ''
    // Empty, or already redacted by a more specific rule: leave it readable.
    if (value === '' || value.startsWith('[REDACTED:')) return match
    const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : ''
    return `${prefix}${quote}${marker(kind)}${quote}`
  }

// Order matters: specific shapes first, generic NAME=value last (it skips already-redacted values).
const RULES: Rule[] = [
  {
    kind: 'private_key',
    // An unterminated block (output cut by the cap) is redacted to the end of the text.
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  { kind: 'jwt', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  { kind: 'github_token', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'slack_token', re: /(?<![A-Za-z0-9_])xox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'aws_access_key_id', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  {
    kind: 'aws_secret_access_key',
    re: new RegExp(String.raw`((?<![A-Za-z0-9])(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?[ \t]*[:=][ \t]*)${VALUE}`, 'gi'),
    keepPrefix: 'quoted',
  },
  {
    kind: 'authorization',
    // Keep the header name and the scheme (Bearer, Basic, ...); the credential goes.
    re: new RegExp(
      String.raw`((?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256)[ \t]+)?)([^\s"']+)`,
      'gi',
    ),
    keepPrefix: 'bare',
  },
  { kind: 'bearer_token', re: /((?<![A-Za-z0-9_-])Bearer[ \t]+)([A-Za-z0-9\-._~+/]{8,}=*)/gi, keepPrefix: 'bare' },
  {
    kind: 'secret',
    // NAME_TOKEN=v, "api_key": "v", db_password: v, --password=v: keep the name.
    re: new RegExp(String.raw`((?<![A-Za-z0-9_])${SECRET_NAME}["']?[ \t]*[:=][ \t]*)${VALUE}`, 'gi'),
    keepPrefix: 'quoted',
  },
  {
    kind: 'secret',
    // --password v, --token v (flag and value as separate words).
    re: new RegExp(String.raw`((?<![A-Za-z0-9_-])--${SECRET_NAME}[ \t]+)${VALUE}`, 'gi'),
    keepPrefix: 'quoted',
  },
]

/** Replace credentials in free text (process output, error messages) by `[REDACTED:<kind>]`.
 * Assignments keep their name (`GITHUB_TOKEN=[REDACTED:secret]`). Git SHAs, digests and UUIDs
 * are left alone. */
export function redactSecrets(text: string): string {
  let out = text
  for (const rule of RULES) {
    rule.re.lastIndex = 0
    if (rule.keepPrefix === 'quoted') out = out.replace(rule.re, replaceQuoted(rule.kind))
    else if (rule.keepPrefix === 'bare') out = out.replace(rule.re, replaceBare(rule.kind))
    else out = out.replace(rule.re, marker(rule.kind))
  }
  return out
}

/** True when a key or variable name looks like it holds a credential (`db_password`, `API_KEY`). */
export const isSecretName = (name: string): boolean => SECRET_NAME_RE.test(name)

/** redactSecrets applied to every string inside a JSON-like value; values under credential-like
 * keys (`{"password": "x"}`) are replaced whole. Returns a copy; cycles become "[Circular]". */
export function redactDeep<T>(value: T): T {
  return walk(value, new WeakSet()) as T
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactSecrets(value)
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return '[Circular]'
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map(v => walk(v, seen))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const secretScalar = isSecretName(k) && (typeof v === 'string' || typeof v === 'number') && v !== ''
      out[k] = secretScalar ? marker('secret') : walk(v, seen)
    }
    return out
  } finally {
    // A value shared by two siblings is not a cycle.
    seen.delete(value)
  }
}
