//! The upgrade manifest: (being written).
