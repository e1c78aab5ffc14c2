/*
 * lib/event.c - events and value trees as data (event.h) -> the encoder.
 *
 * The tracer API, the convert tool and the readers' round-trip tests hold
 * events as rtrace_event structs and values as arena-allocated trees; this
 * file walks them and calls the streaming encoder (encode.h), so there is one
 * encoder and every writer shares its byte canon. Strings in events are
 * (pointer, length) pairs of arbitrary bytes, so the length-taking internal
 * encoder entry points (encode_inline.h) are used.
 */
#include <string.h>

#include "rtrace/event.h"
#include "encode_inline.h"

static const char *const event_kind_names[] = {
    [RTRACE_E_PATH] = "Path", [RTRACE_E_FUNCTION] = "Function", [RTRACE_E_TYPE] = "Type",
    [RTRACE_E_VARIABLE_NAME] = "VariableName", [RTRACE_E_VARIABLE] = "Variable",
    [RTRACE_E_STEP] = "Step", [RTRACE_E_CALL] = "Call", [RTRACE_E_RETURN] = "Return",
    [RTRACE_E_VALUE] = "Value", [RTRACE_E_EVENT] = "Event", [RTRACE_E_ASM] = "Asm",
    [RTRACE_E_THREAD_START] = "ThreadStart", [RTRACE_E_THREAD_EXIT] = "ThreadExit",
    [RTRACE_E_THREAD_SWITCH] = "ThreadSwitch", [RTRACE_E_BIND_VARIABLE] = "BindVariable",
    [RTRACE_E_DROP_VARIABLES] = "DropVariables", [RTRACE_E_DROP_VARIABLE] = "DropVariable",
    [RTRACE_E_COMPOUND_VALUE] = "CompoundValue", [RTRACE_E_CELL_VALUE] = "CellValue",
    [RTRACE_E_ASSIGN_CELL] = "AssignCell", [RTRACE_E_ASSIGN_COMPOUND_ITEM] = "AssignCompoundItem",
    [RTRACE_E_VARIABLE_CELL] = "VariableCell", [RTRACE_E_DROP_LAST_STEP] = "DropLastStep",
};

static const char *const value_kind_names[] = {
    [RTRACE_V_INT] = "Int", [RTRACE_V_FLOAT] = "Float", [RTRACE_V_BOOL] = "Bool",
    [RTRACE_V_STRING] = "String", [RTRACE_V_SEQUENCE] = "Sequence", [RTRACE_V_TUPLE] = "Tuple",
    [RTRACE_V_STRUCT] = "Struct", [RTRACE_V_VARIANT] = "Variant", [RTRACE_V_REFERENCE] = "Reference",
    [RTRACE_V_RAW] = "Raw", [RTRACE_V_ERROR] = "Error", [RTRACE_V_NONE] = "None",
    [RTRACE_V_CELL] = "Cell", [RTRACE_V_BIGINT] = "BigInt",
};

/* The variant name as written in traces, or "?" for a number out of range. */
const char *rtrace_event_kind_name(rtrace_event_kind k)
{
    if ((unsigned)k >= sizeof event_kind_names / sizeof event_kind_names[0])
        return "?";
    return event_kind_names[k];
}

/* The ValueRecord "kind" as written in traces, or "?" for a number out of range. */
const char *rtrace_value_kind_name(rtrace_value_kind k)
{
    if ((unsigned)k >= sizeof value_kind_names / sizeof value_kind_names[0])
        return "?";
    return value_kind_names[k];
}

#define TOO_DEEP_MSG "value nested deeper than RTRACE_ENC_MAX_DEPTH"

/*
 * Encodes the tree `v` as one value record. A NULL node becomes None of type
 * 0 (so half-built trees still give a well-formed trace), and a container
 * that would nest past the encoder's limit becomes an Error value instead.
 */
void rtrace_enc_value_tree(rtrace_enc *e, const rtrace_value *v)
{
    if (!v) {
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
        return;
    }
    bool container = v->kind == RTRACE_V_SEQUENCE || v->kind == RTRACE_V_TUPLE ||
                     v->kind == RTRACE_V_STRUCT || v->kind == RTRACE_V_VARIANT ||
                     v->kind == RTRACE_V_REFERENCE;
    if (container && e->depth >= RTRACE_ENC_MAX_DEPTH - 1) {
        rtrace__enc_error_n(e, v->type_id, TOO_DEEP_MSG, sizeof TOO_DEEP_MSG - 1);
        return;
    }
    switch (v->kind) {
    case RTRACE_V_INT: rtrace_enc_int(e, v->type_id, v->u.i); break;
    case RTRACE_V_FLOAT: rtrace__enc_float_text_n(e, v->type_id, v->u.f.ptr, v->u.f.len); break;
    case RTRACE_V_BOOL: rtrace_enc_bool(e, v->type_id, v->u.b); break;
    case RTRACE_V_STRING: rtrace_enc_string(e, v->type_id, v->u.text.ptr, v->u.text.len); break;
    case RTRACE_V_RAW: rtrace_enc_raw(e, v->type_id, v->u.text.ptr, v->u.text.len); break;
    case RTRACE_V_ERROR: rtrace__enc_error_n(e, v->type_id, v->u.text.ptr, v->u.text.len); break;
    case RTRACE_V_NONE: rtrace_enc_none(e, v->type_id); break;
    case RTRACE_V_CELL: rtrace_enc_cell(e, v->u.place); break;
    case RTRACE_V_BIGINT:
        rtrace_enc_bigint(e, v->type_id, v->u.bigint.magnitude_be, v->u.bigint.n, v->u.bigint.negative);
        break;
    case RTRACE_V_SEQUENCE:
        rtrace_enc_seq_begin(e, v->u.seq.n);
        for (size_t i = 0; i < v->u.seq.n; i++)
            rtrace_enc_value_tree(e, v->u.seq.items[i]);
        rtrace_enc_seq_end(e, v->type_id, v->u.seq.is_slice);
        break;
    case RTRACE_V_TUPLE:
        rtrace_enc_tuple_begin(e, v->u.seq.n);
        for (size_t i = 0; i < v->u.seq.n; i++)
            rtrace_enc_value_tree(e, v->u.seq.items[i]);
        rtrace_enc_tuple_end(e, v->type_id);
        break;
    case RTRACE_V_STRUCT:
        rtrace_enc_struct_begin(e, v->u.seq.n);
        for (size_t i = 0; i < v->u.seq.n; i++)
            rtrace_enc_value_tree(e, v->u.seq.items[i]);
        rtrace_enc_struct_end(e, v->type_id);
        break;
    case RTRACE_V_VARIANT:
        rtrace__enc_variant_begin_n(e, v->u.variant.discriminator.ptr, v->u.variant.discriminator.len);
        rtrace_enc_value_tree(e, v->u.variant.contents);
        rtrace_enc_variant_end(e, v->type_id);
        break;
    case RTRACE_V_REFERENCE:
        rtrace_enc_reference_begin(e);
        rtrace_enc_value_tree(e, v->u.ref.dereferenced);
        rtrace_enc_reference_end(e, v->type_id, v->u.ref.address, v->u.ref.is_mutable);
        break;
    default:
        rtrace__enc_error_n(e, v->type_id, "unknown value kind", 18);
        break;
    }
}

/*
 * Encodes the whole event `ev`. An event kind out of range is a caller bug;
 * it is encoded as an Error Event (kind 11) naming the problem, so that the
 * trace stays readable.
 */
void rtrace_enc_event_struct(rtrace_enc *e, const rtrace_event *ev)
{
    switch (ev->kind) {
    case RTRACE_E_PATH: rtrace__enc_path_n(e, ev->u.path.ptr, ev->u.path.len); break;
    case RTRACE_E_FUNCTION:
        rtrace__enc_function_n(e, ev->u.function.path_id, ev->u.function.line,
                               ev->u.function.name.ptr, ev->u.function.name.len);
        break;
    case RTRACE_E_TYPE: {
        rtrace_type_kind k = (rtrace_type_kind)ev->u.type.kind;
        if (ev->u.type.info == RTRACE_SI_STRUCT) {
            rtrace__enc_type_struct_begin_n(e, k, ev->u.type.lang_type.ptr, ev->u.type.lang_type.len,
                                            ev->u.type.nfields);
            for (size_t i = 0; i < ev->u.type.nfields; i++)
                rtrace__enc_type_field_n(e, ev->u.type.fields[i].name.ptr, ev->u.type.fields[i].name.len,
                                         ev->u.type.fields[i].type_id);
            rtrace_enc_type_struct_end(e);
        } else if (ev->u.type.info == RTRACE_SI_POINTER) {
            rtrace__enc_type_pointer_n(e, k, ev->u.type.lang_type.ptr, ev->u.type.lang_type.len,
                                       ev->u.type.dereference_type_id);
        } else {
            rtrace__enc_type_n(e, k, ev->u.type.lang_type.ptr, ev->u.type.lang_type.len);
        }
        break;
    }
    case RTRACE_E_VARIABLE_NAME: rtrace__enc_variable_name_n(e, ev->u.name.ptr, ev->u.name.len); break;
    case RTRACE_E_VARIABLE: rtrace__enc_variable_n(e, ev->u.name.ptr, ev->u.name.len); break;
    case RTRACE_E_STEP: rtrace_enc_step(e, ev->u.step.path_id, ev->u.step.line); break;
    case RTRACE_E_CALL:
        rtrace_enc_call_begin(e, ev->u.call.function_id, ev->u.call.nargs);
        for (size_t i = 0; i < ev->u.call.nargs; i++) {
            rtrace_enc_arg_begin(e, ev->u.call.args[i].variable_id);
            rtrace_enc_value_tree(e, ev->u.call.args[i].value);
            rtrace_enc_arg_end(e);
        }
        rtrace_enc_call_end(e);
        break;
    case RTRACE_E_RETURN:
        rtrace_enc_return_begin(e);
        rtrace_enc_value_tree(e, ev->u.return_value);
        rtrace_enc_return_end(e);
        break;
    case RTRACE_E_VALUE:
        rtrace_enc_value_begin(e, ev->u.value.variable_id);
        rtrace_enc_value_tree(e, ev->u.value.value);
        rtrace_enc_value_end(e);
        break;
    case RTRACE_E_EVENT:
        rtrace__enc_event_n(e, (rtrace_event_log_kind)ev->u.event.kind,
                            ev->u.event.metadata.ptr, ev->u.event.metadata.len,
                            ev->u.event.content.ptr, ev->u.event.content.len);
        break;
    case RTRACE_E_ASM:
        rtrace__enc_asm_begin(e, ev->u.asm_.n);
        for (size_t i = 0; i < ev->u.asm_.n; i++)
            rtrace__enc_asm_item(e, ev->u.asm_.items[i].ptr, ev->u.asm_.items[i].len);
        rtrace__enc_asm_end(e);
        break;
    case RTRACE_E_THREAD_START: rtrace_enc_thread_start(e, ev->u.thread_id); break;
    case RTRACE_E_THREAD_EXIT: rtrace_enc_thread_exit(e, ev->u.thread_id); break;
    case RTRACE_E_THREAD_SWITCH: rtrace_enc_thread_switch(e, ev->u.thread_id); break;
    case RTRACE_E_BIND_VARIABLE: rtrace_enc_bind_variable(e, ev->u.bind.variable_id, ev->u.bind.place); break;
    case RTRACE_E_VARIABLE_CELL: rtrace_enc_variable_cell(e, ev->u.bind.variable_id, ev->u.bind.place); break;
    case RTRACE_E_DROP_VARIABLES: rtrace_enc_drop_variables(e, ev->u.drop.ids, ev->u.drop.n); break;
    case RTRACE_E_DROP_VARIABLE: rtrace_enc_drop_variable(e, ev->u.variable_id); break;
    case RTRACE_E_COMPOUND_VALUE:
        rtrace_enc_compound_value_begin(e, ev->u.place_value.place);
        rtrace_enc_value_tree(e, ev->u.place_value.value);
        rtrace_enc_compound_value_end(e);
        break;
    case RTRACE_E_CELL_VALUE:
        rtrace_enc_cell_value_begin(e, ev->u.place_value.place);
        rtrace_enc_value_tree(e, ev->u.place_value.value);
        rtrace_enc_cell_value_end(e);
        break;
    case RTRACE_E_ASSIGN_CELL:
        rtrace_enc_assign_cell_begin(e, ev->u.place_value.place);
        rtrace_enc_value_tree(e, ev->u.place_value.value);
        rtrace_enc_assign_cell_end(e);
        break;
    case RTRACE_E_ASSIGN_COMPOUND_ITEM:
        rtrace_enc_assign_compound_item(e, ev->u.compound_item.place, ev->u.compound_item.index,
                                        ev->u.compound_item.item_place);
        break;
    case RTRACE_E_DROP_LAST_STEP: rtrace_enc_drop_last_step(e); break;
    default: {
        static const char msg[] = "rtrace: unknown event kind given to rtrace_enc_event_struct";
        rtrace__enc_event_n(e, RTRACE_LOG_ERROR, "", 0, msg, sizeof msg - 1);
        break;
    }
    }
}
