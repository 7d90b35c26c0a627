// C0/C1 controls (newline, carriage return, ESC of ANSI sequences, …), DEL, and the Unicode line and
// bidi-override characters that can forge or reorder lines in a plain-text log.
// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes untrusted server text safe to put in an error message or a log line: each control character
 * becomes a space and the result is cut to `maxLength` characters (with `…`).
 */
export function printableText(text: string, maxLength = 200): string {
  const clean = text.replace(unsafe, ' ');
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength)}…`;
}
