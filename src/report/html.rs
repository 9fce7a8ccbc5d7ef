//! HTML that escapes by construction. Markup enters only as `&'static str` — text written in
//! this crate's source — and everything else (names, descriptions, paths from scenario files
//! and the command line, numbers) only through [`Html::text`], which escapes it. A string
//! read at run time cannot be passed as markup, so no forgotten `escape` call can inject any.

use std::fmt::{Display, Write as _};

use super::escape;

/// An HTML document being written.
#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    pub fn new() -> Html {
        Html::default()
    }

    /// Markup written in the source (a tag, an entity, a fixed attribute).
    pub fn raw(&mut self, markup: &'static str) -> &mut Html {
        self.out.push_str(markup);
        self
    }

    /// Text or a number, escaped.
    pub fn text(&mut self, t: impl Display) -> &mut Html {
        let mut s = String::new();
        let _ = write!(s, "{t}");
        self.out.push_str(&escape(&s));
        self
    }

    /// `<tag>text</tag>`, the text escaped.
    pub fn wrap(&mut self, tag: Tag, t: impl Display) -> &mut Html {
        self.raw(tag.open).text(t).raw(tag.close)
    }

    /// `items` written with `write`, `sep` (markup) between them.
    pub fn join<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        sep: &'static str,
        mut write: impl FnMut(&mut Html, T),
    ) -> &mut Html {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.raw(sep);
            }
            write(self, item);
        }
        self
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A pair of fixed tags, for [`Html::wrap`].
#[derive(Clone, Copy)]
pub struct Tag {
    pub open: &'static str,
    pub close: &'static str,
}

pub const B: Tag = Tag {
    open: "<b>",
    close: "</b>",
};
pub const CODE: Tag = Tag {
    open: "<code>",
    close: "</code>",
};
pub const TD: Tag = Tag {
    open: "<td>",
    close: "</td>",
};
pub const TH: Tag = Tag {
    open: "<th>",
    close: "</th>",
};
pub const TD_NUM: Tag = Tag {
    open: "<td class=\"num\">",
    close: "</td>",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_markup_is_not() {
        let mut h = Html::new();
        let name = String::from("<script>x</script> & \"q\"");
        h.raw("<p>").wrap(B, &name).text(3.5).raw("</p>");
        assert_eq!(
            h.finish(),
            "<p><b>&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;</b>3.5</p>"
        );
    }

    #[test]
    fn join_separates_with_markup() {
        let mut h = Html::new();
        h.join(["a<", "b"], ", ", |h, x| {
            h.wrap(CODE, x);
        });
        assert_eq!(h.finish(), "<code>a&lt;</code>, <code>b</code>");
    }
}
