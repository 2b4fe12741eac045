// SPDX-License-Identifier: MIT
#include "runtime/topic.hpp"

#include <string>

namespace td::runtime {
namespace {

Status Validate(std::string_view text, bool allow_wildcards, const char* what) {
  if (text.empty()) {
    return Error::InvalidArgument(std::string(what) + " must not be empty", what);
  }
  if (text.size() > kMaxTopicLength) {
    return Error::InvalidArgument(std::string(what) + " longer than " + std::to_string(kMaxTopicLength) + " bytes",
                                  what);
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view segment = text.substr(start, dot == std::string_view::npos ? text.npos : dot - start);
    const bool last = dot == std::string_view::npos;
    if (segment.empty()) {
      return Error::InvalidArgument(std::string(what) + " '" + std::string(text) + "' has an empty segment", what);
    }
    for (const char c : segment) {
      if (c <= ' ' || c > '~') {
        return Error::InvalidArgument(
            std::string(what) + " '" + std::string(text) + "' contains a space or non-printable character", what);
      }
      if ((c == '*' || c == '>') && !(allow_wildcards && segment.size() == 1)) {
        return Error::InvalidArgument(std::string(what) + " '" + std::string(text) + "' misuses wildcard '" + c + "'",
                                      what);
      }
    }
    if (segment == ">" && !last) {
      return Error::InvalidArgument(std::string(what) + " '" + std::string(text) + "': '>' must be the last segment",
                                    what);
    }
    if (last) {
      return {};
    }
    start = dot + 1;
  }
}

}  // namespace

Status ValidateTopic(std::string_view topic) {
  return Validate(topic, false, "topic");
}

Status ValidatePattern(std::string_view pattern) {
  return Validate(pattern, true, "pattern");
}

bool TopicMatches(std::string_view pattern, std::string_view topic) {
  std::size_t p = 0;
  std::size_t t = 0;
  while (true) {
    const std::size_t p_dot = pattern.find('.', p);
    const std::size_t t_dot = topic.find('.', t);
    const std::string_view p_segment = pattern.substr(p, p_dot == pattern.npos ? pattern.npos : p_dot - p);
    if (t > topic.size()) {
      return false;  // the topic ran out of segments before the pattern did
    }
    const std::string_view t_segment = topic.substr(t, t_dot == topic.npos ? topic.npos : t_dot - t);
    if (p_segment == ">") {
      return t < topic.size();  // one or more segments remain
    }
    if (p_segment != "*" && p_segment != t_segment) {
      return false;
    }
    const bool pattern_done = p_dot == pattern.npos;
    const bool topic_done = t_dot == topic.npos;
    if (pattern_done || topic_done) {
      return pattern_done && topic_done;
    }
    p = p_dot + 1;
    t = t_dot + 1;
  }
}

}  // namespace td::runtime
