// The face detector behind cameo's person check, as a plain C interface so
// that cameo can open this library with dlopen when it first looks for faces
// (OpenCV is large; commands that never look at faces never map it).
#ifndef CAMEO_FACES_H
#define CAMEO_FACES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A face in the pixels of the picture handed to `cameo_faces_detect`.
typedef struct {
    float x, y, width, height;
    /// The detector's confidence, 0-1.
    float score;
} CameoFace;

/// Loads the CenterFace ONNX model at `model_path`; NULL on failure, with the reason in `error`.
void *cameo_faces_open(const char *model_path, char *error, int error_size);

/// Finds faces in a packed 8-bit RGB picture whose sides are multiples of 32.
/// Returns how many faces scored at least `threshold` (at most `capacity` are
/// written, strongest first), or -1 with the reason in `error`.
int cameo_faces_detect(void *detector, const uint8_t *rgb, int width, int height, float threshold,
                       CameoFace *faces, int capacity, char *error, int error_size);

void cameo_faces_close(void *detector);

/// How many threads OpenCV runs each picture on: 1 while something else (a decoder) keeps
/// the other cores busy, where more threads only add overhead; 0 for its default (one a core).
void cameo_faces_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif
