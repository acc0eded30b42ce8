//! Inference scenarios lowered to operator lists: prefill and decode phases, batching, KV cache,
//! GQA, MoE routing, speculative decoding and shared prompt prefixes; FLOPs and bytes per op.
