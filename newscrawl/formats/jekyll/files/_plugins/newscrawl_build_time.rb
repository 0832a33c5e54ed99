# frozen_string_literal: true

# Written by `newscrawl export`.  Two fixes that make `jekyll build` of the
# archive take time in proportion to its number of posts; neither changes a
# byte of the built site.  Jekyll loads this file unless it runs with
# `--safe`; GitHub Pages builds in safe mode, ignores it, and needs neither
# fix to stay linear (its Jekyll 3 has no such check as the first one).
# newscrawl's benchmarks/README.md has the figures.

# 1. Jekyll 4.3.0 and 4.3.1 (Debian 12's `jekyll`) skip a file already
#    written by searching an Array of every file seen so far, and compare
#    posts by date and path while doing so: time in the square of the number
#    of posts, twice per build (10,000 posts: minutes; 100,000: hours).
#    Jekyll 4.3.2 fixed it; here the same check looks the file up by identity.
if Gem::Version.new(Jekyll::VERSION).between?(Gem::Version.new("4.3.0"), Gem::Version.new("4.3.1"))
  module NewscrawlSiteFilesOnce
    def each_site_file
      seen = {}.compare_by_identity
      %w(pages static_files_to_write docs_to_write).each do |type|
        send(type).each do |item|
          next if seen.key?(item)

          seen[item] = true
          yield item
        end
      end
    end
  end
  Jekyll::Site.prepend(NewscrawlSiteFilesOnce)
end

# 2. kramdown 2 finds the line number of every HTML tag by scanning from the
#    last one to the end of the line: a post whose body is one long line of
#    HTML (the source's are) costs time in the square of that line's length.
#    Here only the bytes between the two positions are counted.
begin
  require "kramdown"
rescue LoadError
  nil
end
if defined?(Kramdown::Utils::StringScanner) &&
   Kramdown::Utils::StringScanner.method_defined?(:current_line_number)
  module NewscrawlLineNumbers
    def current_line_number
      # Newlines in previous_pos..pos, both included: kramdown's own count.
      length = pos + 1 - @previous_pos
      if length.positive?
        @previous_line_number += string.byteslice(@previous_pos, length)
                                        .force_encoding(Encoding::BINARY).count("\n")
      end
      @previous_pos = eos? ? pos : pos + 1
      @previous_line_number
    end
  end
  Kramdown::Utils::StringScanner.prepend(NewscrawlLineNumbers)
end
