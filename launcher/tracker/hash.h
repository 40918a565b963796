/* SPDX-License-Identifier: MIT */
#pragma once

/* The tracker hashes with the project's one SHA-256 (util/sha256.h, libmd). */
#include "util/sha256.h"
