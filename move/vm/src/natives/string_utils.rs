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
    let mut list_ty = ty_arg(tys, 0)?.clone();
    let mut current = list.into_ref()?.read_ref()?;
    // List elements are shown with their full type names, on one line, without integer suffixes.
    let style = Style {
        type_tag: true,
        canonicalize: false,
        single_line: true,
        include_int_types: false,
    };
    let mut out = String::new();
    // 1 after an opening brace, -1 after a closing one, 0 otherwise.
    let mut pending: i8 = 0;
    for c in fmt.chars() {
        match (pending, c) {
            (1, '}') => {
                pending = 0;
                let Some(args) = list_node(ctx, &list_ty, "Cons")? else {
                    return Ok(NativeResult::Abort(EARGS_MISMATCH));
                };
                let fields = read(current.as_struct()?)?.clone();
                let [car, cdr] =
                    <[Value; 2]>::try_from(fields).map_err(|_| type_error("format list"))?;
                let (car_ty, cdr_ty) = match args.as_slice() {
                    [a, b] => (a.clone(), b.clone()),
                    _ => return Err(type_error("format list")),
                };
                let layout = ctx.loader.layout(&car_ty)?;
                format_value(&car, &layout, style, 0, &mut out)?;
                current = cdr;
                list_ty = cdr_ty;
            }
            (1, '{') | (-1, '}') => {
                pending = 0;
                out.push(c);
            }
            (1, _) | (-1, _) => return Ok(NativeResult::Abort(EINVALID_FORMAT)),
            (_, '{') => pending = 1,
            (_, '}') => pending = -1,
            _ => out.push(c),
        }
    }
    if pending != 0 {
        return Ok(NativeResult::Abort(EINVALID_FORMAT));
    }
    if list_node(ctx, &list_ty, "NIL")?.is_none() {
        return Ok(NativeResult::Abort(EARGS_MISMATCH));
    }
    ret(vec![string_value(&out)])
}

/// The type arguments of `ty` if it is `0x1::string_utils::<name>`.
fn list_node(ctx: &NativeContext, ty: &Type, name: &str) -> VmResult<Option<Vec<Type>>> {
    let Type::Struct(id, args) = ty else {
        return Ok(None);
    };
    let def = ctx.loader.struct_def(*id)?;
    let at_one = def.module.address[..31].iter().all(|b| *b == 0) && def.module.address[31] == 1;
    Ok((at_one && def.module.name == "string_utils" && def.name == name).then(|| args.clone()))
}

fn address_text(a: &[u8; 32], canonical: bool) -> String {
    if canonical {
        hex::encode(a)
    } else {
        crate::loader::short_address(a)
    }
}

fn space_or_newline(out: &mut String, newline: bool, depth: usize) {
    if newline {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    } else {
        out.push(' ');
    }
}

/// The elements of a vector or the fields of a struct (`names` given), between the brackets.
fn format_items(
    items: &[Value],
    layouts: &mut dyn Iterator<Item = (&Layout, Option<&str>)>,
    style: Style,
    depth: usize,
    newline: bool,
    out: &mut String,
) -> VmResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    space_or_newline(out, newline, depth + 1);
    for (i, v) in items.iter().enumerate() {
        let (layout, name) = layouts
            .next()
            .ok_or_else(|| type_error("value does not match its layout"))?;
        if i > 0 {
            out.push(',');
            space_or_newline(out, newline, depth + 1);
        }
        if let Some(name) = name {
            out.push_str(name);
            out.push_str(": ");
        }
        format_value(v, layout, style, depth + 1, out)?;
    }
    space_or_newline(out, newline, depth);
    Ok(())
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
    let mut suffix = "";
    match (v, layout) {
        (Value::Bool(b), Layout::Bool) => out.push_str(if *b { "true" } else { "false" }),
        (Value::U8(x), Layout::U8) => {
            out.push_str(&x.to_string());
            suffix = "u8";
        }
        (Value::U16(x), Layout::U16) => {
            out.push_str(&x.to_string());
            suffix = "u16";
        }
        (Value::U32(x), Layout::U32) => {
            out.push_str(&x.to_string());
            suffix = "u32";
        }
        (Value::U64(x), Layout::U64) => {
            out.push_str(&x.to_string());
            suffix = "u64";
        }
        (Value::U128(x), Layout::U128) => {
            out.push_str(&x.to_string());
            suffix = "u128";
        }
        (Value::U256(x), Layout::U256) => {
            out.push_str(&x.to_string());
            suffix = "u256";
        }
        (Value::Address(a), Layout::Address) => {
            out.push('@');
            out.push_str(&address_text(a, style.canonicalize));
        }
        (Value::Struct(_), Layout::Signer) => {
            out.push_str("signer(");
            out.push_str(&address_text(&v.signer_address()?, style.canonicalize));
            out.push(')');
        }
        (Value::Vector(_), Layout::Vector(elem)) if **elem == Layout::U8 => {
            out.push_str("0x");
            out.push_str(&hex::encode(v.to_bytes()?));
            return Ok(());
        }
        (Value::Vector(c), Layout::Vector(elem)) => {
            let elems = read(c)?;
            let primitive = !matches!(**elem, Layout::Vector(_) | Layout::Struct(_));
            out.push('[');
            let mut layouts = std::iter::repeat((&**elem, None));
            format_items(
                &elems,
                &mut layouts,
                style,
                depth,
                !style.single_line && !primitive,
                out,
            )?;
            out.push(']');
        }
        (Value::Struct(c), Layout::Struct(s)) => {
            let fields = read(c)?;
            if s.is(1, "string", "String") {
                let bytes = fields
                    .first()
                    .ok_or_else(|| type_error("string"))?
                    .to_bytes()?;
                let text = String::from_utf8_lossy(&bytes)
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                out.push('"');
                out.push_str(&text);
                out.push('"');
                return Ok(());
            }
            if s.is(1, "option", "Option") {
                let (Some(inner), Some(Layout::Vector(elem))) = (fields.first(), s.fields.first())
                else {
                    return Err(type_error("option"));
                };
                let elems = read(inner.as_vector()?)?;
                match elems.last() {
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
                out.push_str(&s.name);
                if !s.type_args.is_empty() {
                    out.push('<');
                    out.push_str(&s.type_args.join(", "));
                    out.push('>');
                }
            } else {
                out.push_str(&s.name);
            }
            out.push_str(" {");
            let mut layouts = s
                .fields
                .iter()
                .zip(s.field_names.iter().map(|n| Some(n.as_str())));
            format_items(&fields, &mut layouts, style, depth, !style.single_line, out)?;
            out.push('}');
        }
        _ => return Err(type_error("value does not match its layout")),
    }
    if style.include_int_types {
        out.push_str(suffix);
    }
    Ok(())
}
