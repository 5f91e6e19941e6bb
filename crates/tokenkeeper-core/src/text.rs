//! Text a server chose, made safe to show: the one home of the rule for every error message,
//! error code, field name and certificate name that came from the other end of a connection.
//!
//! Such text reaches terminals (the CLI, `-vv` logs), desktop notifications and the window. A
//! server could put terminal escape sequences in it (ANSI CSI such as `ESC [2J`, which clears
//! the screen, or OSC such as `ESC ]0;…BEL`, which retitles the window or, in some terminals,
//! writes the clipboard), carriage returns that overwrite what was printed before them, other
//! C0 and C1 control characters, or bidirectional overrides that show a text in another order
//! than it is stored in. [`clean_server_text`] removes all of them and shortens what is left.

/// Shown in place of what a cut left out.
pub const ELLIPSIS: char = '…';

/// No cut: only the cleaning (for text that is masked before it is shortened).
pub const UNCAPPED: usize = usize::MAX;

/// `text` without escape sequences, control characters and bidirectional overrides, cut to
/// `cap` characters (then ending in [`ELLIPSIS`]).
///
/// - Escape sequences go whole: CSI (`ESC [` … final byte), OSC, DCS, SOS, PM and APC strings
///   (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` up to BEL or the string terminator), any
///   other `ESC` sequence, and their one-character C1 forms (U+009B, U+009D, …).
/// - Line breaks, tabs and the other whitespace controls (CR, LF, VT, FF, NEL, U+2028,
///   U+2029) become a single space per run, so words on two lines stay two words.
/// - Every other control character (C0, DEL, C1) and the bidirectional embeddings, overrides
///   and isolates (U+202A–U+202E, U+2066–U+2069) are dropped.
///
/// Cleaning clean text changes nothing, and a cut text ends in `…` after at most `cap`
/// characters of the cleaned one.
pub fn clean_server_text(text: &str, cap: usize) -> String {
    let mut out = String::with_capacity(text.len().min(cap.saturating_mul(4)).min(1 << 16));
    let mut chars = text.chars().peekable();
    let mut kept = 0_usize;
    let mut in_space_run = false;
    while let Some(c) = chars.next() {
        let shown = match c {
            '\u{1b}' => {
                skip_escape(&mut chars);
                None
            }
            '\u{9b}' => {
                skip_csi(&mut chars);
                None
            }
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => {
                skip_string(&mut chars);
                None
            }
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                if in_space_run {
                    None
                } else {
                    in_space_run = true;
                    Some(' ')
                }
            }
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
            c if c.is_control() => None,
            c => {
                in_space_run = false;
                Some(c)
            }
        };
        if let Some(c) = shown {
            if kept == cap {
                let end = out.trim_end().len();
                out.truncate(end);
                out.push(ELLIPSIS);
                return out;
            }
            out.push(c);
            kept += 1;
        }
    }
    out
}

/// After an `ESC`: the rest of its sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // nF/Fp/Fe/Fs forms: intermediate bytes, then one final byte.
        Some(_) => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
        None => {}
    }
}

/// A control sequence's parameter and intermediate bytes and its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars
        .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
        .is_some()
    {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// A control string (OSC, DCS, SOS, PM, APC) up to and with its terminator: BEL, `ESC \` or
/// U+009C; an unterminated one runs to the end of the text (a terminal would swallow it too).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{UNCAPPED, clean_server_text};

    #[test]
    fn escape_sequences_and_controls_are_removed_and_line_breaks_become_spaces() {
        let cases = [
            ("\u{1b}]0;pwned\u{7}Invalid token", "Invalid token"),
            (
                "\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\",
                "link",
            ),
            ("\u{1b}[2J\u{1b}[1;31mred\u{1b}[0m", "red"),
            ("\u{9b}2Jclear\u{9d}0;title\u{9c}ed", "cleared"),
            ("\u{1b}(Bcharset \u{1b}cafter reset", "charset after reset"),
            ("bad password\rall is well", "bad password all is well"),
            ("line one\r\n\r\nline two\ttab", "line one line two tab"),
            ("nul\0bell\u{7}del\u{7f}c1\u{85}end", "nulbelldelc1 end"),
            ("\u{202e}txt.exe\u{202c} \u{2066}iso\u{2069}", "txt.exe iso"),
            ("unterminated \u{1b}]0;title", "unterminated "),
            ("trailing escape \u{1b}", "trailing escape "),
            ("Grüße, 東京 — “quotes” ok", "Grüße, 東京 — “quotes” ok"),
        ];
        for (dirty, clean) in cases {
            assert_eq!(clean_server_text(dirty, UNCAPPED), clean, "{dirty:?}");
            assert_eq!(clean_server_text(clean, UNCAPPED), clean, "idempotent");
        }
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_after_the_cleaning() {
        let long = "é".repeat(5_000);
        let cut = clean_server_text(&long, 300);
        assert_eq!(cut.chars().count(), 301);
        assert!(cut.ends_with('…'));
        // Exactly the cap: no cut; the controls do not count.
        let exact = format!("{}\u{1b}[2J", "a".repeat(300));
        assert_eq!(clean_server_text(&exact, 300), "a".repeat(300));
        // A cut after a space does not end in a space before the ellipsis.
        assert_eq!(clean_server_text("ab cd", 3), "ab…");
        assert_eq!(clean_server_text("", 3), "");
    }
}
