// calls: see ARCHITECTURE.md.
export {};
