//! The simulator: architectures, memory system, mapper, engine, energy and area models, reports.
