//! `0x1::string_utils` natives: Move values rendered as text (`to_string`, `debug_string`,
//! `format1..4`), driven by the value's layout.

use super::{
    args, bytes_arg, ret, string_value, ty_arg, NativeContext, NativeFunction, NativeResult,
};
use crate::bcs::Layout;
use crate::status::VmResult;
use crate::types::Type;
use crate::values::{read, type_error, Value, MAX_WALK_DEPTH};

/// Abort codes of the Move module.
pub const EARGS_MISMATCH: u64 = 1;
pub const EINVALID_FORMAT: u64 = 2;

pub(super) fn lookup(module: &str, name: &str) -> Option<NativeFunction> {
    Some(match (module, name) {
        ("string_utils", "native_format") => native_format,
        ("string_utils", "native_format_list") => native_format_list,
        _ => return None,
    })
}

#[derive(Clone, Copy)]
struct Style {
    type_tag: bool,
    canonicalize: bool,
    single_line: bool,
    include_int_types: bool,
}

fn native_format(ctx: &mut NativeContext, tys: &[Type], a: Vec<Value>) -> VmResult<NativeResult> {
    let [v, type_tag, canonicalize, single_line, include_int_types] = args(a)?;
    let style = Style {
        type_tag: type_tag.as_bool()?,
        canonicalize: canonicalize.as_bool()?,
        single_line: single_line.as_bool()?,
        include_int_types: include_int_types.as_bool()?,
    };
    let layout = ctx.loader.layout(ty_arg(tys, 0)?)?;
    let mut out = String::new();
    let r = v.into_ref()?;
    r.with(|inner| format_value(inner, &layout, style, 0, &mut out))?;
    ret(vec![string_value(&out)])
}

fn native_format_list(
    ctx: &mut NativeContext,
    tys: &[Type],
    a: Vec<Value>,
) -> VmResult<NativeResult> {
    let [fmt, list] = args(a)?;
    let Ok(fmt) = String::from_utf8(bytes_arg(&fmt)?) else {
        return Ok(NativeResult::Abort(EINVALID_FORMAT));
    };
    let mut layout = ctx.loader.layout(ty_arg(tys, 0)?)?;
    let mut current = list.into_ref()?.read_ref()?;
    let style = Style {
        type_tag: false,
        canonicalize: false,
        single_line: true,
        include_int_types: false,
    };
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                // The list is `Cons { car, cdr }` ending in `NIL`.
                let Layout::Struct(s) = &layout else {
                    return Err(type_error("format list"));
                };
                if s.name != "Cons" || s.fields.len() != 2 {
                    return Ok(NativeResult::Abort(EARGS_MISMATCH));
                }
                let fields = read(current.as_struct()?)?.clone();
                let [car, cdr] =
                    <[Value; 2]>::try_from(fields).map_err(|_| type_error("format list"))?;
                format_value(&car, &s.fields[0], style, 0, &mut out)?;
                let next_layout = s.fields[1].clone();
                current = cdr;
                layout = next_layout;
            }
            '{' | '}' => return Ok(NativeResult::Abort(EINVALID_FORMAT)),
            other => out.push(other),
        }
    }
    if matches!(&layout, Layout::Struct(s) if s.name == "Cons") {
        return Ok(NativeResult::Abort(EARGS_MISMATCH));
    }
    ret(vec![string_value(&out)])
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn address_text(a: &[u8; 32], canonical: bool) -> String {
    if canonical {
        hex::encode(a)
    } else {
        crate::loader::short_address(a)
    }
}

/// Opens an element of a list: a separator, then a space or a new indented line.
fn separator(out: &mut String, i: usize, style: Style, depth: usize) {
    if i > 0 {
        out.push(',');
    }
    if style.single_line {
        out.push(' ');
    } else {
        out.push('\n');
        indent(out, depth + 1);
    }
}

fn close(out: &mut String, style: Style, depth: usize) {
    if style.single_line {
        out.push(' ');
    } else {
        out.push('\n');
        indent(out, depth);
    }
}

fn format_value(
    v: &Value,
    layout: &Layout,
    style: Style,
    depth: usize,
    out: &mut String,
) -> VmResult<()> {
    if depth > MAX_WALK_DEPTH {
        return Err(type_error("value nests too deeply to format"));
    }
    if let Value::Ref(r) = v {
        return r.with(|inner| format_value(inner, layout, style, depth, out));
    }
    let int = |out: &mut String, text: String, suffix: &str| {
        out.push_str(&text);
        if style.include_int_types {
            out.push_str(suffix);
        }
    };
    match (v, layout) {
        (Value::Bool(b), Layout::Bool) => out.push_str(if *b { "true" } else { "false" }),
        (Value::U8(x), Layout::U8) => int(out, x.to_string(), "u8"),
        (Value::U16(x), Layout::U16) => int(out, x.to_string(), "u16"),
        (Value::U32(x), Layout::U32) => int(out, x.to_string(), "u32"),
        (Value::U64(x), Layout::U64) => int(out, x.to_string(), "u64"),
        (Value::U128(x), Layout::U128) => int(out, x.to_string(), "u128"),
        (Value::U256(x), Layout::U256) => int(out, x.to_string(), "u256"),
        (Value::Address(a), Layout::Address) => {
            out.push('@');
            out.push_str(&address_text(a, style.canonicalize));
        }
        (Value::Struct(_), Layout::Signer) => {
            out.push_str("signer(@");
            out.push_str(&address_text(&v.signer_address()?, style.canonicalize));
            out.push(')');
        }
        (Value::Vector(_), Layout::Vector(elem)) if **elem == Layout::U8 => {
            out.push_str("0x");
            out.push_str(&hex::encode(v.to_bytes()?));
        }
        (Value::Vector(c), Layout::Vector(elem)) => {
            let elems = read(c)?;
            if elems.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, e) in elems.iter().enumerate() {
                separator(out, i, style, depth);
                format_value(e, elem, style, depth + 1, out)?;
            }
            close(out, style, depth);
            out.push(']');
        }
        (Value::Struct(c), Layout::Struct(s)) => {
            let fields = read(c)?;
            if s.is(1, "string", "String") {
                let bytes = fields
                    .first()
                    .ok_or_else(|| type_error("string"))?
                    .to_bytes()?;
                out.push('"');
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('"');
                return Ok(());
            }
            if s.is(1, "option", "Option") {
                let (Some(inner), Some(Layout::Vector(elem))) = (fields.first(), s.fields.first())
                else {
                    return Err(type_error("option"));
                };
                let elems = read(inner.as_vector()?)?;
                match elems.first() {
                    None => out.push_str("None"),
                    Some(x) => {
                        out.push_str("Some(");
                        format_value(x, elem, style, depth, out)?;
                        out.push(')');
                    }
                }
                return Ok(());
            }
            if style.type_tag {
                out.push_str(&crate::loader::short_address(&s.address));
                out.push_str("::");
                out.push_str(&s.module);
                out.push_str("::");
            }
            out.push_str(&s.name);
            if style.type_tag && !s.type_args.is_empty() {
                out.push('<');
                out.push_str(&s.type_args.join(", "));
                out.push('>');
            }
            out.push_str(" {");
            for (i, (f, (name, fl))) in fields
                .iter()
                .zip(s.field_names.iter().zip(s.fields.iter()))
                .enumerate()
            {
                separator(out, i, style, depth);
                out.push_str(name);
                out.push_str(": ");
                format_value(f, fl, style, depth + 1, out)?;
            }
            close(out, style, depth);
            out.push('}');
        }
        _ => return Err(type_error("value does not match its layout")),
    }
    Ok(())
}
