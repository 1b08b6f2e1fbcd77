// media: see ARCHITECTURE.md.
export {};
