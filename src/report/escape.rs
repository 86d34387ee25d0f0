//! Escaping: customer text → text that is only ever text in HTML, SVG and Markdown.
//!
//! Comments, channel names and topic labels come from customers and from input files, so
//! every one of them goes through [`Html`] (or [`markdown`]) on its way into a report:
//! no comment can open a tag, close an attribute or start a Markdown link.

use std::fmt;

/// Displays a string with `& < > " '` escaped, for HTML and SVG text and attributes.
pub struct Html<'a>(pub &'a str);

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A string as one line of Markdown text (a table cell, a list item, a quote): line
/// breaks become spaces, HTML is escaped and Markdown punctuation is backslashed.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_cannot_open_a_tag_or_leave_an_attribute() {
        let comment = r#"最悪<script>alert("x")</script> & 'quoted' "#;
        assert_eq!(
            Html(comment).to_string(),
            "最悪&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; "
        );
        let attribute = format!("<td title=\"{}\">", Html("\" onmouseover=\"x"));
        assert_eq!(attribute, "<td title=\"&quot; onmouseover=&quot;x\">");
        assert_eq!(Html("配送が遅い").to_string(), "配送が遅い");
    }

    #[test]
    fn markdown_stays_on_one_line_and_in_its_cell() {
        assert_eq!(
            markdown("a | b\n<img src=x> [link](y) *bold*"),
            r"a \| b &lt;img src=x&gt; \[link\](y) \*bold\*"
        );
    }
}
