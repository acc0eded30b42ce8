//! The layers of a model grouped by what their ops depend on: attention by its window
//! (global layers, then sliding-window layers), the feed-forward block by dense or MoE. A
//! group's ops carry `repeat` = its layer count, so a model with one kind of layer lowers to
//! the same op list as before groups existed.

use lutforge_models::{Attention, ModelConfig, Moe};

/// Layers whose attention ops are identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionGroup {
    /// Layers in the group.
    pub layers: u64,
    /// The model field the count comes from, to blame on overflow.
    pub layers_field: &'static str,
    /// Tokens each layer attends to and caches, `None` for the whole context.
    pub window: Option<u64>,
    /// What the layers cache: `global`, `local` (sliding window) or `latent` (MLA).
    pub kind: &'static str,
}

/// Layers whose feed-forward ops are identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FfnGroup {
    /// Layers in the group.
    pub layers: u64,
    /// The model field the count comes from, to blame on overflow.
    pub layers_field: &'static str,
    /// The experts, or `None` for a dense FFN of `intermediate_size`.
    pub moe: Option<Moe>,
}

/// The attention groups of `model`, non-empty ones only: the full-context layers first, then
/// the sliding-window layers.
pub fn attention_groups(model: &ModelConfig) -> Vec<AttentionGroup> {
    let local = model.local_layers();
    let full_kind = match model.attention {
        Attention::Standard => "global",
        Attention::Latent(_) => "latent",
    };
    let local_kind = match model.attention {
        Attention::Standard => "local",
        Attention::Latent(_) => "latent local",
    };
    let groups = [
        AttentionGroup {
            layers: model.num_layers.saturating_sub(local),
            layers_field: "num_layers",
            window: None,
            kind: full_kind,
        },
        AttentionGroup {
            layers: local,
            layers_field: "local_layers",
            window: model.sliding_window.map(|w| w.window),
            kind: local_kind,
        },
    ];
    groups.into_iter().filter(|g| g.layers > 0).collect()
}

/// The feed-forward groups of `model`, non-empty ones only: dense layers first, then MoE.
pub fn ffn_groups(model: &ModelConfig) -> Vec<FfnGroup> {
    let groups = [
        FfnGroup {
            layers: model.dense_ffn_layers(),
            layers_field: if model.moe.is_some() {
                "dense_layers"
            } else {
                "num_layers"
            },
            moe: None,
        },
        FfnGroup {
            layers: model.moe_layers(),
            layers_field: "num_layers",
            moe: model.moe,
        },
    ];
    groups.into_iter().filter(|g| g.layers > 0).collect()
}
