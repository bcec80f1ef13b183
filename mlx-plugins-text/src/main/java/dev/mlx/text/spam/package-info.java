/** Decoy-Spam: the SpamAssassin public mail corpus (npm or its own folders) with label decoys. */
package dev.mlx.text.spam;
